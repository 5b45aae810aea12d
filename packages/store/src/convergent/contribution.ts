import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { errorCode, type FileSystem, readFile } from '../files';
import type { ConvergentType } from './type';

/**
 * One writer's contribution to a convergent key: the state of its own changes, numbered. Only its writer ever writes
 * it, and each number's state contains the previous one's (a writer's changes only add up), so readers take the
 * highest number they can read.
 */
export interface Contribution<S> {
  writer: string;
  seq: number;
  state: S;
}

/**
 * The two slot files of a contribution, in the key's generation folder: `c-<writer>-0.json` and `c-<writer>-1.json`.
 * Number `seq` is written over slot `seq % 2`, in place, so the other slot keeps `seq − 1` whole while this one is
 * written (LMDB's two meta pages): a write torn by a crash or read half-way by another window fails its checksum,
 * and the reader takes the other slot. Writing in place costs one data flush and no folder change per write.
 */
const slotPattern = /^c-([0-9a-f]{8}-\d+-[0-9a-f]{8})-([01])\.json$/;

export function slotFileName(writer: string, seq: number): string {
  return `c-${writer}-${seq % 2}.json`;
}

/** The writer whose slot file `name` is, if it is one. */
export function writerOfSlot(name: string): string | undefined {
  return slotPattern.exec(name)?.[1];
}

/** `<JSON>\n<SHA-256 of the JSON, hex>\n`: readable, and a torn or half-read slot is told apart from a whole one. */
export function encodeSlot(key: string, type: ConvergentType<unknown, unknown>, contribution: Contribution<unknown>): Buffer {
  const body = JSON.stringify({ key, type: type.name, writer: contribution.writer, seq: contribution.seq, state: contribution.state });
  return Buffer.from(`${body}\n${sha256(body)}\n`, 'utf8');
}

/** The contribution in `bytes`, or undefined when they are torn, damaged or not this key's, type's and writer's. */
export function decodeSlot<S>(bytes: Uint8Array, key: string, type: ConvergentType<S, unknown>, writer: string): Contribution<S> | undefined {
  const text = Buffer.from(bytes).toString('utf8');
  const match = /^([^\n]*)\n([0-9a-f]{64})\n$/.exec(text);
  if (match?.[1] === undefined || match[2] !== sha256(match[1])) return undefined;
  try {
    const parsed = JSON.parse(match[1]) as Record<string, unknown>;
    if (parsed.key !== key || parsed.type !== type.name || parsed.writer !== writer) return undefined;
    if (!Number.isSafeInteger(parsed.seq) || (parsed.seq as number) < 1) return undefined;
    return { writer, seq: parsed.seq as number, state: type.parse(parsed.state) };
  } catch {
    return undefined;
  }
}

/**
 * The newest readable slot of `writer` in a generation folder, if any, and whether any of its slot files is there at
 * all, and whether one could not be opened right now (`held`: Windows answers so for a file being removed or held
 * by a scanner) — then the newest may be the one not read.
 */
export function readContribution<S>(fs: FileSystem, genPath: string, key: string, type: ConvergentType<S, unknown>, writer: string): { contribution?: Contribution<S>; present: boolean; held: boolean } {
  let best: Contribution<S> | undefined;
  let present = false;
  let held = false;
  for (const seq of [0, 1]) {
    let read: ReturnType<typeof readFile>;
    try {
      read = readFile(fs, join(genPath, slotFileName(writer, seq)));
    } catch (error) {
      if (!transient.has(errorCode(error) ?? '')) throw error;
      present = held = true;
      continue;
    }
    if (read === undefined) continue;
    present = true;
    const slot = decodeSlot(read.bytes, key, type, writer);
    if (slot && (best === undefined || slot.seq > best.seq)) best = slot;
  }
  return best === undefined ? { present, held } : { contribution: best, present, held };
}

/** One slot of `writer` (`slot`: 0 or 1), as `readContribution` reads each. */
export function readSlot<S>(fs: FileSystem, genPath: string, key: string, type: ConvergentType<S, unknown>, writer: string, slot: number): { contribution?: Contribution<S>; present: boolean; held: boolean } {
  let read: ReturnType<typeof readFile>;
  try {
    read = readFile(fs, join(genPath, slotFileName(writer, slot)));
  } catch (error) {
    if (!transient.has(errorCode(error) ?? '')) throw error;
    return { present: true, held: true };
  }
  if (read === undefined) return { present: false, held: false };
  const contribution = decodeSlot(read.bytes, key, type, writer);
  return contribution ? { contribution, present: true, held: false } : { present: true, held: false };
}

/** The slot number (0 or 1) a slot file name stands for. */
export function slotOfFile(name: string): number | undefined {
  const match = slotPattern.exec(name);
  return match?.[2] === undefined ? undefined : Number(match[2]);
}

/** What Windows answers for a file being removed or held open without sharing: it is there, not readable now. */
const transient = new Set(['EPERM', 'EACCES', 'EBUSY']);


function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
