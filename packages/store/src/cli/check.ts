/**
 * `check`: what in a storage folder needs attention, and with `--repair` only what the store's own recovery does —
 * remove dead writers' temp files and intents (liveness asked of the operating system, by the store's rule: a
 * writer that cannot be proven dead is alive) and keep a `corrupt-` copy of an unreadable head.
 */
import { linkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { recordFileName } from '../record';
import { writtenByDeadProcess } from '../writers';
import { type ConvergentModel, headOf, type LogModel, readFolder } from './inspect';

export type FindingKind =
  | 'unreadable-record'
  | 'damaged-head-kept'
  | 'unknown-key'
  | 'dead-writer-temp'
  | 'dead-writer-intent'
  | 'no-generation'
  | 'several-generations'
  | 'foreign-file'
  | 'unfolded-dead-writer'
  | 'folded-writer-files'
  | 'torn-slot'
  | 'convergent-base'
  | 'convergent-value'
  | 'torn-log-tail'
  | 'unreadable-log'
  | 'log-snapshot';

export interface Finding {
  kind: FindingKind;
  /** Relative to the storage folder, `/`-separated. */
  path: string;
  detail: string;
  /** The key, where known. */
  key?: string;
  /** False for what is reported only for information (it needs nothing done). */
  problem: boolean;
}

export interface Repair {
  action: 'removed' | 'kept-copy' | 'failed';
  path: string;
  detail: string;
}

export function check(root: string): Finding[] {
  const model = readFolder(root);
  const found: Finding[] = [];
  for (const name of model.temp) {
    // As the store's sweep at open: any entry of tmp/ named by a writer proven dead (a temp file, a prepared key
    // folder, a probe).
    if (writtenByDeadProcess(name)) {
      found.push({ kind: 'dead-writer-temp', path: `tmp/${name}`, detail: 'a temp file of a writer whose process is gone', problem: true });
    }
  }
  for (const key of model.keys) {
    const known = key.key === undefined ? {} : { key: key.key };
    if (key.generations.length === 0) found.push({ kind: 'no-generation', path: key.path, detail: 'a key folder without a generation', problem: true, ...known });
    if (key.generations.length > 1) {
      found.push({ kind: 'several-generations', path: key.path, detail: `${key.generations.length} generations (${key.generations.join(', ')}); the store uses ${key.generations[0]}`, problem: true, ...known });
    }
    if (key.keyProblem !== undefined) found.push({ kind: 'unknown-key', path: key.path, detail: key.keyProblem, problem: true });
    const head = headOf(key);
    for (const record of key.records) {
      if (record.problem === undefined) continue;
      if (record === head && record.keptCopy) {
        found.push({ kind: 'damaged-head-kept', path: record.path, detail: `${record.problem}; its bytes are kept as corrupt-${recordFileName(record.seq)}, the next update commits above it`, problem: false, ...known });
      } else {
        found.push({ kind: 'unreadable-record', path: record.path, detail: record.problem, problem: true, ...known });
      }
    }
    for (const intent of key.intents) {
      // As the store's collection: the writer's tag follows `w-<gen 16 hex>-`.
      if (writtenByDeadProcess(intent.slice(19))) found.push({ kind: 'dead-writer-intent', path: `${key.path}/${intent}`, detail: 'an intent of a writer whose process is gone', problem: true, ...known });
    }
    for (const path of key.foreign) found.push({ kind: 'foreign-file', path, detail: 'a name the store never makes', problem: true, ...known });
    if (key.convergent !== undefined) found.push(...checkConvergent(key.path, key.convergent, known, head?.record !== undefined));
    if (key.log !== undefined) found.push(...checkLog(key.path, key.log, known, head?.record !== undefined));
  }
  for (const path of model.foreign) found.push({ kind: 'foreign-file', path, detail: 'a name the store never makes', problem: true });
  return found;
}

/**
 * A convergent key's contributions. Nothing here is repaired: folding is the store's, done when a window opens the
 * key (it needs a compare-and-set commit, which the inspector never makes).
 */
function checkConvergent(keyPath: string, model: ConvergentModel, known: { key?: string }, baseReadable: boolean): Finding[] {
  const found: Finding[] = [];
  const name = model.type?.name ?? 'convergent';
  if (model.baseProblem !== undefined && baseReadable) found.push({ kind: 'convergent-base', path: keyPath, detail: model.baseProblem, problem: true, ...known });
  if (model.type !== undefined && model.valueProblem !== undefined) found.push({ kind: 'convergent-value', path: keyPath, detail: `its ${name} value cannot be computed: ${model.valueProblem}`, problem: true, ...known });
  for (const c of model.contributions) {
    const first = c.slots[0]?.path ?? keyPath;
    // As the store's fold: only a writer of this pid space whose process is gone (kill(pid, 0) says ESRCH).
    if (!c.folded && writtenByDeadProcess(c.writer)) {
      found.push({ kind: 'unfolded-dead-writer', path: first, detail: `the ${name} contribution of writer ${c.writer}, whose process is gone (seq ${c.seq ?? 'none readable'}): it counts, and will be folded when a window opens the key`, problem: false, ...known });
    }
    if (c.folded) {
      found.push({ kind: 'folded-writer-files', path: first, detail: `writer ${c.writer} is folded into the base (seq ${model.folded[c.writer] ?? '?'}) and not counted again; its slot files are removed at the next fold`, problem: false, ...known });
    }
    const readable = c.slots.find((s) => s.seq !== undefined);
    for (const slot of c.slots) {
      if (slot.problem === undefined) continue;
      if (readable !== undefined) {
        found.push({ kind: 'torn-slot', path: slot.path, detail: `${slot.problem}; the store reads writer ${c.writer}'s other slot (seq ${readable.seq ?? '?'})`, problem: false, ...known });
      } else {
        found.push({ kind: 'torn-slot', path: slot.path, detail: `${slot.problem}, and writer ${c.writer} has no readable slot: its contribution is not counted${c.folded ? ' (it is folded already)' : ''}`, problem: !c.folded, ...known });
      }
    }
  }
  return found;
}

/**
 * A per-writer log's files and snapshot. Nothing here is repaired either: compaction is the store's (a window opening
 * the key folds gone writers' logs), and a torn tail is written over by its writer's next append.
 */
function checkLog(keyPath: string, model: LogModel, known: { key?: string }, snapshotReadable: boolean): Finding[] {
  const found: Finding[] = [];
  if (model.snapshotProblem !== undefined && snapshotReadable) found.push({ kind: 'log-snapshot', path: keyPath, detail: model.snapshotProblem, problem: true, ...known });
  for (const log of model.logs) {
    const lines = `${log.events.length} line${log.events.length === 1 ? '' : 's'}`;
    if (log.problem !== undefined) {
      found.push({ kind: 'unreadable-log', path: log.path, detail: `${log.problem}: readers skip writer ${log.writer}'s log${log.folded ? ' (it is folded already)' : ''}`, problem: !log.folded, ...known });
      continue;
    }
    // As the store's compaction: only a writer of this pid space whose process is gone (kill(pid, 0) says ESRCH).
    const dead = writtenByDeadProcess(log.writer);
    if (!log.folded && dead) {
      found.push({ kind: 'unfolded-dead-writer', path: log.path, detail: `the log of writer ${log.writer}, whose process is gone (${lines}): its entries count, and are folded into the snapshot when a window opens the key`, problem: false, ...known });
    }
    if (log.folded) {
      const folded = model.snapshot.folded[log.writer] ?? 0;
      const more = log.events.length - folded;
      found.push(
        more > 0
          ? { kind: 'folded-writer-files', path: log.path, detail: `writer ${log.writer} is folded into the snapshot with ${folded} lines, but its log holds ${more} more: those are not read by anyone`, problem: true, ...known }
          : { kind: 'folded-writer-files', path: log.path, detail: `writer ${log.writer} is folded into the snapshot (${folded} lines) and its log is not read again; the file is removed at the next fold`, problem: false, ...known },
      );
    }
    if (log.torn > 0) {
      const why = dead || log.folded ? 'an append its writer was killed in (never acknowledged)' : 'an append being written, or one that failed (the next append writes over it)';
      found.push({ kind: 'torn-log-tail', path: log.path, detail: `${log.torn} byte${log.torn === 1 ? '' : 's'} after its last whole line (${lines} readable): ${why}; readers ignore them`, problem: false, ...known });
    }
  }
  return found;
}

/** Does what the store's recovery would do about `findings`, nothing else. */
export function repair(root: string, findings: readonly Finding[]): Repair[] {
  const done: Repair[] = [];
  for (const f of findings) {
    const path = join(root, f.path);
    try {
      if (f.kind === 'dead-writer-temp' || f.kind === 'dead-writer-intent') {
        // Asked again right before removing: only files of a writer proven dead now are touched.
        const name = f.path.slice(f.path.lastIndexOf('/') + 1);
        if (!writtenByDeadProcess(f.kind === 'dead-writer-intent' ? name.slice(19) : name)) continue;
        rmSync(path, { recursive: true, force: true });
        done.push({ action: 'removed', path: f.path, detail: f.detail });
      } else if (f.kind === 'unreadable-record' && isHead(root, f.path)) {
        const slash = f.path.lastIndexOf('/');
        const copy = `${f.path.slice(0, slash)}/corrupt-${f.path.slice(slash + 1)}`;
        linkSync(path, join(root, copy));
        done.push({ action: 'kept-copy', path: copy, detail: `the bytes of the unreadable ${f.path}` });
      }
    } catch (error) {
      done.push({ action: 'failed', path: f.path, detail: String(error) });
    }
  }
  return done;
}

function isHead(root: string, path: string): boolean {
  const model = readFolder(root);
  return model.keys.some((k) => headOf(k)?.path === path);
}
