import { createHash } from 'node:crypto';

/**
 * One committed version of a key as stored on disk: readable JSON, immutable once it has its name.
 * `id` makes every record's bytes unique; `prev` is the fingerprint of the bytes the writer built on (null for
 * version 1), which is what lets a writer prove that the version number it linked had never been used before.
 */
export interface StoredRecord {
  version: number;
  lastModified: string;
  clientId: string;
  key: string;
  id: string;
  prev: string | null;
  deleted: boolean;
  payload: unknown;
}

const versionFilePattern = /^v(\d{12})\.json$/;

export function versionFileName(version: number): string {
  return `v${String(version).padStart(12, '0')}.json`;
}

/** Committed version numbers among a folder's entries, ascending. */
export function versionsIn(names: readonly string[]): number[] {
  const versions: number[] = [];
  for (const name of names) {
    const match = versionFilePattern.exec(name);
    if (match?.[1] !== undefined) versions.push(Number(match[1]));
  }
  return versions.sort((a, b) => a - b);
}

export function corruptCopyPrefix(version: number): string {
  return `v${String(version).padStart(12, '0')}.corrupt-`;
}

export function fingerprint(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}

export function encodeRecord(record: StoredRecord): Buffer {
  const { version, lastModified, clientId, key, id, prev, deleted, payload } = record;
  const shown = deleted ? { version, lastModified, clientId, key, id, prev, deleted: true, payload: null } : { version, lastModified, clientId, key, id, prev, payload };
  return Buffer.from(`${JSON.stringify(shown)}\n`, 'utf8');
}

/** The record in `bytes`, or undefined when they are not a well-formed record of this key and version. */
export function decodeRecord(bytes: Uint8Array, key: string, version: number): StoredRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const r = parsed as Record<string, unknown>;
  if (r.version !== version || r.key !== key) return undefined;
  if (typeof r.lastModified !== 'string' || typeof r.clientId !== 'string' || typeof r.id !== 'string') return undefined;
  if (r.prev !== null && typeof r.prev !== 'string') return undefined;
  if (!Object.prototype.hasOwnProperty.call(r, 'payload')) return undefined;
  if (r.deleted !== undefined && r.deleted !== true) return undefined;
  return {
    version,
    lastModified: r.lastModified,
    clientId: r.clientId,
    key,
    id: r.id,
    prev: r.prev,
    deleted: r.deleted === true,
    payload: r.deleted === true ? undefined : r.payload,
  };
}

/** Only `prev` of a record, for the resurrection check and collection; undefined when unreadable. */
export function prevOf(bytes: Uint8Array): string | null | undefined {
  try {
    const r = JSON.parse(Buffer.from(bytes).toString('utf8')) as { prev?: unknown };
    return r.prev === null || typeof r.prev === 'string' ? r.prev : undefined;
  } catch {
    return undefined;
  }
}
