import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openStore, recordFolders, tempFolder } from './helpers';

class Point {
  constructor(readonly x: number) {}
}

function cycle(): unknown {
  const a: Record<string, unknown> = { name: 'a' };
  a.self = a;
  return a;
}

function nestedCycle(): unknown {
  const inner: unknown[] = [];
  const outer = { level1: { level2: { list: [1, inner] } } };
  inner.push(outer.level1);
  return outer;
}

const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays

const invalid: Array<[string, unknown]> = [
  ['a function', () => 1],
  ['a symbol', Symbol('s')],
  ['a BigInt', 10n],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['undefined', undefined],
  ['undefined in an object', { a: undefined }],
  ['undefined in an array', [1, undefined]],
  ['a hole in an array', sparse],
  ['a cycle', cycle()],
  ['a nested cycle', nestedCycle()],
  ['a Date', new Date(0)],
  ['a Map', new Map([[1, 2]])],
  ['a Set', new Set([1])],
  ['a RegExp', /x/],
  ['a class instance', new Point(1)],
  ['a typed array', new Uint8Array(2)],
  ['a nested function', { deep: [{ f: () => 1 }] }],
  ['a nested NaN', { deep: { n: [0, NaN] } }],
  ['a symbol-keyed property', { [Symbol('k')]: 1 }],
  ['a getter', Object.defineProperty({}, 'g', { get: () => 1, enumerable: true })],
  ['a promise', Promise.resolve(1)],
];

describe('values', () => {
  it.each(invalid)('%s is rejected with TypeError by set and by update, before anything is written', async (_name, value) => {
    const dir = tempFolder();
    const store = openStore(dir);
    await expect(store.set('k', value)).rejects.toThrow(TypeError);
    await expect(store.update('k', () => value)).rejects.toThrow(TypeError);
    expect(recordFolders(dir)).toEqual([]);
    expect(store.get('k').version).toBe(0);
  });

  it('an invalid default value is rejected too', async () => {
    const store = openStore();
    await expect(store.update('k', (c) => c, { when: new Date() })).rejects.toThrow(TypeError);
  });

  it('an invalid result after a valid commit leaves the last record as truth', async () => {
    const store = openStore();
    await store.set('k', { ok: true });
    await expect(store.update('k', () => ({ bad: NaN }))).rejects.toThrow(TypeError);
    expect(await store.read('k')).toMatchObject({ version: 1, payload: { ok: true } });
  });

  it('shared (non-cyclic) references are fine and read back as copies', async () => {
    const store = openStore();
    const shared = { n: 1 };
    await store.set('k', { a: shared, b: shared });
    expect(store.get('k').payload).toEqual({ a: { n: 1 }, b: { n: 1 } });
  });

  it('__proto__ in payloads round-trips as own data and never touches Object.prototype', async () => {
    const dir = tempFolder();
    const store = openStore(dir);
    const payload = JSON.parse('{"__proto__":{"polluted":true},"nested":{"__proto__":{"polluted":true}},"constructor":{"prototype":{"polluted":true}}}') as Record<string, unknown>;
    await store.set('p', payload);
    await store.update<Record<string, unknown>>('p', (c) => ({ ...c, more: 1 }));
    const fresh = openStore(dir);
    const read = (await fresh.read<Record<string, unknown>>('p')).payload;
    expect(Object.keys(read)).toContain('__proto__');
    expect(Object.getOwnPropertyDescriptor(read, '__proto__')?.value).toEqual({ polluted: true });
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('objects without a prototype are plain data', async () => {
    const store = openStore();
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    expect((await store.set('k', bare)).payload).toEqual({ a: 1 });
  });

  it('large records (past the first 16 KB read, up to megabytes) round-trip to another instance and are built on', async () => {
    const dir = tempFolder();
    const store = openStore(dir, { keepVersions: 2 });
    for (const size of [16 * 1024 - 200, 16 * 1024, 40_000, 70_000, 2_000_000]) {
      const value = { size, text: 'x'.repeat(size), tail: 'end' };
      await store.set(`big${size}`, value);
      const fresh = openStore(dir, { watch: 'poll' });
      expect(fresh.get(`big${size}`).payload).toEqual(value);
      expect(await fresh.read(`big${size}`)).toMatchObject({ version: 1, payload: value });
      // The next commit reads it as its base (and collection proves it) without taking it for damage.
      for (let i = 0; i < 4; i++) await fresh.update(`big${size}`, (v: typeof value) => ({ ...v, tail: `${v.tail}+` }));
      expect(fresh.get(`big${size}`).payload).toMatchObject({ size, tail: 'end++++' });
      expect(fresh.getMetrics().corruptRecords).toBe(0);
      fresh.dispose();
    }
  }, 30_000);

  it('property: any JSON value round-trips through the files to another instance', async () => {
    const dir = tempFolder();
    const store = openStore(dir);
    let i = 0;
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const key = `k${i++}`;
        await store.set(key, value);
        const fresh = openStore(dir, { watch: 'poll' });
        expect(fresh.get(key).payload).toEqual(JSON.parse(JSON.stringify(value)));
        fresh.dispose();
      }),
      { numRuns: 50 },
    );
  }, 30_000);

  it('property: values containing a non-JSON leaf anywhere are rejected', async () => {
    const store = openStore();
    const bad = fc.constantFrom<unknown>(NaN, Infinity, undefined, () => 0, Symbol('x'), 1n, new Date(0), new Map());
    const withBad = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, bad, fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((arr) => [1, ...arr]), fc.dictionary(fc.string(), tie('node'), { minKeys: 1, maxKeys: 3 })),
    })).node;
    await fc.assert(
      fc.asyncProperty(withBad, async (value) => {
        await expect(store.set('k', value)).rejects.toThrow(TypeError);
      }),
      { numRuns: 100 },
    );
    expect(store.get('k').version).toBe(0);
  });
});
