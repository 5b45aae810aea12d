import { createHash } from 'node:crypto';

/** Longest key accepted, in UTF-16 code units (what `string.length` counts). */
export const maxKeyLength = 1024;

export function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') throw new TypeError(`Store key must be a string, got ${typeof key}`);
  if (key.length === 0) throw new TypeError('Store key must not be empty');
  if (key.length > maxKeyLength) throw new TypeError(`Store key is ${key.length} characters; at most ${maxKeyLength} are allowed`);
}

/**
 * The file name standing for a key: a readable slug plus a hash of the key's UTF-16 code units. Hashing code units
 * rather than UTF-8 keeps keys with lone surrogates distinct (UTF-8 would turn them all into U+FFFD); the slug is
 * lower-case and the hash decides, so keys differing only in case stay distinct on case-insensitive disks.
 */
export function keyFileName(key: string): string {
  const hash = createHash('sha256').update(Buffer.from(key, 'utf16le')).digest('hex').slice(0, 32);
  const slug = key
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .slice(0, 24);
  return `${slug}-${hash}`;
}
