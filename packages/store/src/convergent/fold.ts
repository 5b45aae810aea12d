import { join } from 'node:path';
import { listFolder, unlinkQuietly } from '../files';
import { writtenByDeadProcess } from '../writers';
import type { ConvergentHost } from './convergentKey';
import { exists } from './ownFiles';

/** A key's record as a fold sees it: whatever it holds, and which writers' files are folded into it (writer → how much). */
export interface Folded {
  folded: Record<string, number>;
}

/** What a fold needs to know of one kind of per-writer file (a convergent key's contributions, a log). */
export interface FoldKind<B extends Folded> {
  /** The writer whose file `name` is, if it is one of this kind. */
  writerOf(name: string): string | undefined;
  /** Every name a writer's files can have. */
  filesOf(writer: string): string[];
  /** The record's payload as a base; throws a TypeError when it is not one (the fold then changes nothing). */
  parse(payload: unknown): B;
  /**
   * `base` with `writer`'s files (in `genPath`) folded in, and how much of them (for `folded`); undefined when they
   * cannot be read now (that writer waits for the next fold).
   */
  absorb(base: B, writer: string, genPath: string): { base: B; amount: number } | undefined;
  /** The payload to commit. */
  encode(base: B): unknown;
}

/**
 * Folds the files of writers that are gone (this instance's too with `self`, once it writes no more) into the key's
 * record with one compare-and-set, then removes them (design.md, "Convergent keys", "Folding"). Resolves with the
 * number of writers this call folded.
 */
export async function foldGoneWriters<B extends Folded>(host: ConvergentHost, key: string, kind: FoldKind<B>, self: boolean): Promise<number> {
  const gone = (writer: string): boolean => (self && writer === host.writer) || (writer !== host.writer && writtenByDeadProcess(writer));
  let folded = parseOrNone(kind, host.get(key).payload)?.folded ?? {};
  const first = planFold(host, key, kind, folded, gone);
  let count = 0;
  // Forgetting folded writers whose files are gone rides along with a fold; alone it is not worth a commit (a log's
  // record can be megabytes, and every window re-reads each new record).
  if (first.fold.length > 0) {
    const committed = await host.update(key, (payload) => {
      // Runs after the record it builds on was read: what it lists and reads is at least as new (the argument).
      let base = kind.parse(payload);
      const plan = planFold(host, key, kind, base.folded, gone);
      // Another fold got there first: commit nothing (the update rejects with this, having written nothing).
      if (plan.fold.length === 0) throw nothingToFold;
      const next: Record<string, number> = {};
      for (const [writer, amount] of Object.entries(base.folded)) if (!plan.forget.includes(writer)) next[writer] = amount;
      const genPath = host.generation(key, false)?.path;
      count = 0;
      if (genPath !== undefined) {
        for (const writer of plan.fold) {
          const absorbed = kind.absorb(base, writer, genPath);
          if (absorbed === undefined) continue;
          base = absorbed.base;
          next[writer] = absorbed.amount;
          count++;
        }
      }
      return kind.encode({ ...base, folded: next });
    }).catch((error: unknown) => {
      if (error !== nothingToFold) throw error;
      return undefined;
    });
    if (committed === undefined) {
      count = 0;
      folded = parseOrNone(kind, host.get(key).payload)?.folded ?? {};
    } else {
      folded = parseOrNone(kind, committed.payload)?.folded ?? {};
      host.folded(count);
      if (count > 0) host.log('info', `store key ${JSON.stringify(key)}: folded ${count} gone writer(s) into its record`);
    }
  }
  // Only what the durable record names as folded is removed; a fold killed before this leaves the files to the next
  // one, which finds them folded and removes them.
  const gen = host.generation(key, false);
  if (gen) for (const writer of Object.keys(folded)) for (const name of kind.filesOf(writer)) unlinkQuietly(host.fs, join(gen.path, name));
  return count;
}

/** Thrown by a fold's updater that finds nothing left to fold: the update writes nothing. */
const nothingToFold = new Error('nothing to fold');

/** Gone writers not folded yet, and folded writers none of whose files exists any more. */
function planFold<B extends Folded>(host: ConvergentHost, key: string, kind: FoldKind<B>, folded: Record<string, number>, gone: (writer: string) => boolean): { fold: string[]; forget: string[] } {
  const gen = host.generation(key, false);
  const writers = new Set<string>();
  if (gen) {
    for (const name of listFolder(host.fs, gen.path)) {
      const writer = kind.writerOf(name);
      if (writer !== undefined) writers.add(writer);
    }
  }
  const fold = [...writers].filter((w) => !Object.hasOwn(folded, w) && gone(w));
  const forget = Object.keys(folded).filter((w) => !writers.has(w) && (gen === undefined || kind.filesOf(w).every((name) => !exists(host.fs, join(gen.path, name)))));
  return { fold, forget };
}

function parseOrNone<B extends Folded>(kind: FoldKind<B>, payload: unknown): B | undefined {
  try {
    return kind.parse(payload);
  } catch {
    return undefined;
  }
}
