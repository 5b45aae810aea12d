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

export function encodeRecord(record: StoredRecord): Buffer {
  const { version, lastModified, clientId, key, deleted, payload } = record;
  const shown = deleted ? { version, lastModified, clientId, key, deleted: true, payload: null } : { version, lastModified, clientId, key, payload };
  return Buffer.from(`${JSON.stringify(shown)}\n`, 'utf8');
}

/** The record in `bytes`, or undefined when they are not a well-formed record of this key. */
export function decodeRecord(bytes: Uint8Array, key: string): StoredRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
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
