import { createHash } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { closeQuietly, errorCode, type FileSystem } from '../files';

/** One event of a log as stored: the caller's id and data, a hybrid-logical-clock stamp, and (in a base) its writer. */
export interface StoredEvent {
  id: string;
  /** An encoded stamp (hlc.ts): the order of entries. */
  t: string;
  data: unknown;
}

/**
 * A writer's log: `l-<writer>.log` in the key's generation folder, one line per event, appended by its writer only:
 * `<JSON>\t<first 16 hex digits of its SHA-256>\n`. A line is written at the end of the last whole line (a positional
 * write), so the remains of a failed or torn write are only ever at the end, where the next append writes over them;
 * readers stop at the first line that is not whole.
 */
const logPattern = /^l-([0-9a-f]{8}-\d+-[0-9a-f]{8})\.log$/;

export function logFileName(writer: string): string {
  return `l-${writer}.log`;
}

export function writerOfLog(name: string): string | undefined {
  return logPattern.exec(name)?.[1];
}

export function encodeLine(event: StoredEvent): Buffer {
  const body = JSON.stringify({ id: event.id, t: event.t, data: event.data });
  return Buffer.from(`${body}\t${checksum(body)}\n`, 'utf8');
}

/**
 * The whole lines of `bytes` (read from `offset` of the file) and how far they reach; stops at the first line that
 * is torn, damaged or still being written.
 */
export function decodeLines(bytes: Buffer, offset: number): { events: StoredEvent[]; end: number } {
  const events: StoredEvent[] = [];
  let at = 0;
  for (;;) {
    const newline = bytes.indexOf(0x0a, at);
    if (newline < 0) break;
    const line = bytes.subarray(at, newline).toString('utf8');
    const tab = line.lastIndexOf('\t');
    if (tab < 0 || checksum(line.slice(0, tab)) !== line.slice(tab + 1)) break;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line.slice(0, tab)) as Record<string, unknown>;
    } catch {
      break;
    }
    if (typeof parsed.id !== 'string' || typeof parsed.t !== 'string' || !Object.hasOwn(parsed, 'data')) break;
    events.push({ id: parsed.id, t: parsed.t, data: parsed.data });
    at = newline + 1;
  }
  return { events, end: offset + at };
}

/** Reads a log from `offset` to its end; undefined when the file does not exist. */
export function readLogFrom(fs: FileSystem, genPath: string, writer: string, offset: number): { events: StoredEvent[]; end: number } | undefined {
  let fd: number;
  try {
    fd = fs.openSync(join(genPath, logFileName(writer)), nodeFs.constants.O_RDONLY | noFollow);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const size = Number(fs.fstatSync(fd, { bigint: true }).size);
    if (size <= offset) return { events: [], end: offset };
    const bytes = Buffer.allocUnsafe(size - offset);
    let length = 0;
    while (length < bytes.length) {
      const n = fs.readSync(fd, bytes, length, bytes.length - length, offset + length);
      if (n === 0) break;
      length += n;
    }
    return decodeLines(bytes.subarray(0, length), offset);
  } finally {
    closeQuietly(fs, fd);
  }
}

const noFollow = nodeFs.constants.O_NOFOLLOW ?? 0;

function checksum(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}
