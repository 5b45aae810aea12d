import fc from 'fast-check';
import { readFileSync, realpathSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listTree, openStore, recordFolders, tempFolder } from './helpers';

const exoticKeys = [
  '../x', '/abs', 'a/b', '..', '.', 'nul\u0000inside', 'CON', 'con', 'NUL', 'aux.txt', '__proto__', 'constructor',
  'emoji 🧘‍♀️🌬️', 'x'.repeat(1000), 'y'.repeat(1024), 'Case', 'case', 'CASE', 'back\\slash', 'C:\\windows', ' trailing ',
  'dots...', '\uD800 lone high', '\uDC00 lone low', 'touch', 'records', 'key.json', 'v000000000001.json', '.tmp-x-1',
];

describe('keys', () => {
  it('round-trip exactly, each in its own folder, every file inside the storage folder', async () => {
    const dir = tempFolder();
    const store = openStore(dir);
    for (const [i, key] of exoticKeys.entries()) await store.set(key, i);
    const fresh = openStore(dir);
    for (const [i, key] of exoticKeys.entries()) {
      expect(fresh.get(key)).toMatchObject({ version: 1, payload: i });
      expect(await fresh.read(key)).toMatchObject({ version: 1, payload: i });
    }
    expect(fresh.keys().sort()).toEqual([...exoticKeys].sort());
    expect(recordFolders(dir)).toHaveLength(exoticKeys.length);
    const root = realpathSync(dir);
    for (const path of listTree(dir)) {
      expect(resolve(root, path).startsWith(root + sep)).toBe(true);
      expect(path.split(sep).every((part) => /^[A-Za-z0-9._-]+$/.test(part) && part.length <= 80)).toBe(true);
    }
  }, 30_000);

  it('keys differing only in case or only in lone surrogates get distinct folders', async () => {
    const dir = tempFolder();
    const store = openStore(dir);
    await store.set('Case', 1);
    await store.set('case', 2);
    await store.set('\uD800', 3);
    await store.set('\uD801', 4);
    const folders = recordFolders(dir).map((f) => f.toLowerCase());
    expect(new Set(folders).size).toBe(4);
    expect([store.get('Case').payload, store.get('case').payload, store.get('\uD800').payload, store.get('\uD801').payload]).toEqual([1, 2, 3, 4]);
  });

  it('the exact key is kept inside its folder (key.json), also for NUL and emoji', async () => {
    const dir = tempFolder();
    const store = openStore(dir);
    const key = 'a\u0000b🧘';
    await store.set(key, true);
    const folder = recordFolders(dir)[0] ?? '';
    expect(JSON.parse(readFileSync(join(folder, 'key.json'), 'utf8'))).toEqual({ key });
  });

  it.each([
    ['empty', ''],
    ['too long', 'z'.repeat(1025)],
    ['a number', 42],
    ['undefined', undefined],
    ['null', null],
    ['an object', { key: 'x' }],
  ])('reject %s with TypeError (get throws, async methods reject) and write nothing', async (_name, bad) => {
    const dir = tempFolder();
    const store = openStore(dir);
    const key = bad as string;
    expect(() => store.get(key)).toThrow(TypeError);
    await expect(store.set(key, 1)).rejects.toThrow(TypeError);
    await expect(store.update(key, (c: number) => c + 1, 0)).rejects.toThrow(TypeError);
    await expect(store.delete(key)).rejects.toThrow(TypeError);
    await expect(store.read(key)).rejects.toThrow(TypeError);
    expect(recordFolders(dir)).toEqual([]);
  });

  it('property: any string of 1..1024 code units round-trips to its own record', async () => {
    const dir = tempFolder();
    const store = openStore(dir);
    const written = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), fc.string({ unit: 'grapheme-composite', minLength: 1, maxLength: 1024 }).map((s) => s.slice(0, 1024)), fc.integer(), async (short, long, value) => {
        for (const key of [short, long]) {
          if (key.length === 0) continue;
          await store.set(key, value);
          written.set(key, value);
          expect(store.get(key).payload).toBe(value);
        }
      }),
      { numRuns: 40 },
    );
    const fresh = openStore(dir);
    for (const [key, value] of written) expect(fresh.get(key).payload).toBe(value);
    expect(new Set(fresh.keys())).toEqual(new Set(written.keys()));
  }, 60_000);
});
