import { brotliCompressSync, brotliDecompressSync, constants as zlib } from 'node:zlib';

/**
 * One committed record of a key as stored on disk: readable JSON, immutable once it has its name. Its file name
 * carries the sequence number in its generation folder (the compare-and-set slot); `version` is what callers see.
 * The two are equal until a storage folder is emptied: a new generation then starts again at sequence 1, while
 * versions carry on above every version any window had seen (design.md, "Recovery").
 */
export interface StoredRecord {
  version: number;
  lastModified: string;
  clientId: string;
  key: string;
  deleted: boolean;
  payload: unknown;
}

const recordFilePattern = /^v(\d{12})\.json$/;

export function recordFileName(seq: number): string {
  return `v${String(seq).padStart(12, '0')}.json`;
}

/** The sequence number a record file name stands for, if it is one. */
export function sequenceOf(name: string): number | undefined {
  const match = recordFilePattern.exec(name);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Sequence numbers of the records among a folder's entries, ascending. */
export function sequencesIn(names: readonly string[]): number[] {
  const seqs: number[] = [];
  for (const name of names) {
    const match = recordFilePattern.exec(name);
    if (match?.[1] !== undefined) seqs.push(Number(match[1]));
  }
  return seqs.sort((a, b) => a - b);
}

/** Records whose JSON is at least `thresholdBytes` long are stored brotli-compressed at `quality` (0–11). */
export interface Compression {
  thresholdBytes: number;
  quality: number;
}

/** A compressed payload may not claim more than this: a record that would inflate beyond it is unreadable. */
const maxPayloadBytes = 256 * 1024 * 1024;

/**
 * `<JSON>\n`, readable. With `compression`, a record whose JSON reaches the threshold is stored as a readable header
 * line (`{"version":…,"key":…,"encoding":"br","size":<payload bytes>}`) followed by the payload's JSON compressed —
 * unless that is not smaller. Tombstones and small records stay plain.
 */
export function encodeRecord(record: StoredRecord, compression?: Compression): Buffer {
  const { version, lastModified, clientId, key, deleted, payload } = record;
  const shown = deleted ? { version, lastModified, clientId, key, deleted: true, payload: null } : { version, lastModified, clientId, key, payload };
  const plain = Buffer.from(`${JSON.stringify(shown)}\n`, 'utf8');
  if (compression === undefined || deleted || plain.length < compression.thresholdBytes) return plain;
  const json = Buffer.from(JSON.stringify(payload), 'utf8');
  const packed = brotliCompressSync(json, {
    params: { [zlib.BROTLI_PARAM_QUALITY]: compression.quality, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT, [zlib.BROTLI_PARAM_SIZE_HINT]: json.length },
  });
  const header = Buffer.from(`${JSON.stringify({ version, lastModified, clientId, key, encoding: 'br', size: json.length })}\n`, 'utf8');
  return header.length + packed.length < plain.length ? Buffer.concat([header, packed]) : plain;
}

/** The record in `bytes`, or undefined when they are not a well-formed record of this key. */
export function decodeRecord(bytes: Uint8Array, key: string): StoredRecord | undefined {
  let parsed: unknown;
  try {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const newline = buffer.indexOf(0x0a);
    const header = newline >= 0 && newline < buffer.length - 1 ? compressedHeader(buffer, newline) : undefined;
    parsed = header ? decompressed(buffer, newline, header) : JSON.parse(buffer.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const r = parsed as Record<string, unknown>;
  if (r.key !== key || !Number.isSafeInteger(r.version) || (r.version as number) < 1) return undefined;
  if (typeof r.lastModified !== 'string' || typeof r.clientId !== 'string') return undefined;
  if (!Object.prototype.hasOwnProperty.call(r, 'payload')) return undefined;
  if (r.deleted !== undefined && r.deleted !== true) return undefined;
  return {
    version: r.version as number,
    lastModified: r.lastModified,
    clientId: r.clientId,
    key,
    deleted: r.deleted === true,
    payload: r.deleted === true ? undefined : r.payload,
  };
}

/** The header of a compressed record, if the first line is one (a record pretty-printed by hand is not). */
function compressedHeader(bytes: Buffer, newline: number): Record<string, unknown> | undefined {
  try {
    const header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as unknown;
    return typeof header === 'object' && header !== null && (header as Record<string, unknown>).encoding === 'br' ? (header as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A compressed record (see `encodeRecord`) as the plain one it stands for; throws when anything does not fit. */
function decompressed(bytes: Buffer, newline: number, header: Record<string, unknown>): unknown {
  const size = header.size;
  if (!Number.isSafeInteger(size) || (size as number) < 0 || (size as number) > maxPayloadBytes) throw new Error('a compressed record of an impossible size');
  // The claimed size bounds the output, so a crafted record cannot inflate without limit.
  const json = brotliDecompressSync(bytes.subarray(newline + 1), { maxOutputLength: Math.max(1, size as number) });
  if (json.length !== size) throw new Error('compressed payload of the wrong size');
  const { encoding: _encoding, size: _size, ...rest } = header;
  return { ...rest, payload: JSON.parse(json.toString('utf8')) as unknown };
}
