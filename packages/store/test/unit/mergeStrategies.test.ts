import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StorageWrapper } from '../../src';
import { openStore, tempFolder } from './helpers';

type Tally = Record<string, number>;

/** A three-way merge that is commutative in `mine` and `theirs`: what this update added, added to theirs. */
function addDelta(base: Tally, mine: Tally, theirs: Tally): Tally {
  const merged: Tally = { ...theirs };
  for (const [name, n] of Object.entries(mine)) put(merged, name, count(merged, name) + n - count(base, name));
  return merged;
}

/** Own entries only: `__proto__` is a name like any other here. */
function count(t: Tally, name: string): number {
  return Object.hasOwn(t, name) ? (t[name] as number) : 0;
}

function put(t: Tally, name: string, n: number): Tally {
  Object.defineProperty(t, name, { value: n, enumerable: true, writable: true, configurable: true });
  return t;
}

/**
 * Windows whose caches go stale: polling once a minute, so none hears of another's commit and each first attempt
 * builds on its own last commit — a conflict whenever another window committed since.
 */
function staleWindows(n: number): StorageWrapper[] {
  const dir = tempFolder();
  return Array.from({ length: n }, () => openStore(dir, { watch: 'poll', pollIntervalMs: 60_000 }));
}

describe('update with a merge strategy', () => {
  it('a three-way merge gets the value the updater ran on, its result and the value committed meanwhile', async () => {
    const [a, b] = staleWindows(2) as [StorageWrapper, StorageWrapper];
    await a.set<Tally>('t', { x: 1 });
    await b.update<Tally>('t', (t) => ({ ...t, y: 1 }));
    const calls: Tally[][] = [];
    let updaterRuns = 0;
    const result = await a.update<Tally>(
      't',
      (t) => {
        updaterRuns++;
        return { ...t, x: (t.x ?? 0) + 1 };
      },
      {},
      {
        merge: (base, mine, theirs) => {
          calls.push([base, mine, theirs]);
          return addDelta(base, mine, theirs);
        },
      },
    );
    expect(updaterRuns).toBe(1);
    expect(calls).toEqual([[{ x: 1 }, { x: 2 }, { x: 1, y: 1 }]]);
    expect(result.payload).toEqual({ x: 2, y: 1 });
    expect(result.version).toBe(3);
  });

  it("'lww' commits this update's result over the one committed meanwhile, without running the updater again", async () => {
    const [a, b] = staleWindows(2) as [StorageWrapper, StorageWrapper];
    await a.set<Tally>('t', { x: 1 });
    await b.update<Tally>('t', (t) => ({ ...t, y: 1 }));
    let runs = 0;
    const result = await a.update<Tally>('t', (t) => (runs++, { ...t, x: 5 }), {}, { merge: 'lww' });
    expect(runs).toBe(1);
    expect(result).toMatchObject({ version: 3, payload: { x: 5 } });
  });

  it('without a strategy the updater runs again on the fresh value (as before)', async () => {
    const [a, b] = staleWindows(2) as [StorageWrapper, StorageWrapper];
    await a.set<Tally>('t', { x: 1 });
    await b.update<Tally>('t', (t) => ({ ...t, y: 1 }));
    let runs = 0;
    const result = await a.update<Tally>('t', (t) => (runs++, { ...t, x: 2 }));
    expect(runs).toBe(2);
    expect(result.payload).toEqual({ x: 2, y: 1 });
  });

  it('a merge that throws or returns something that is not JSON data rejects, and nothing is written', async () => {
    const [a, b] = staleWindows(2) as [StorageWrapper, StorageWrapper];
    await a.set<Tally>('t', { x: 1 });
    await b.set<Tally>('t', { x: 9 });
    await expect(a.update<Tally>('t', () => ({ x: 2 }), {}, { merge: () => { throw new Error('cannot merge'); } })).rejects.toThrow('cannot merge');
    // That attempt read the head: another commit makes the next update conflict again.
    await b.set<Tally>('t', { x: 10 });
    await expect(a.update<Tally>('t', () => ({ x: 2 }), {}, { merge: () => ({ x: new Date() }) as never })).rejects.toThrow(TypeError);
    await expect(a.update<Tally>('t', (t) => t, {}, { merge: 'first' as never })).rejects.toThrow(TypeError);
    expect(await a.read<Tally>('t')).toMatchObject({ version: 3, payload: { x: 10 } });
  });

  it('concurrent updates of several windows with a commutative three-way merge give one result in any order', async () => {
    const update = fc.record({ window: fc.integer({ min: 0, max: 2 }), name: fc.constantFrom('a', 'b', 'c', '__proto__'), by: fc.integer({ min: -5, max: 5 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(update, { minLength: 1, maxLength: 12 }), fc.boolean(), async (updates, awaitEach) => {
        const windows = staleWindows(3);
        const expected: Tally = {};
        for (const u of updates) put(expected, u.name, count(expected, u.name) + u.by);
        const run = (u: (typeof updates)[number]) =>
          (windows[u.window] as StorageWrapper).update<Tally>('t', (t) => put({ ...t }, u.name, count(t, u.name) + u.by), {}, { merge: addDelta });
        if (awaitEach) for (const u of updates) await run(u);
        else await Promise.all(updates.map(run));
        const final = (await (windows[0] as StorageWrapper).read<Tally>('t')).payload;
        for (const name of Object.keys(expected)) expect(count(final, name)).toBe(expected[name]);
        await Promise.all(windows.map((w) => w.dispose()));
      }),
      { numRuns: 40 },
    );
  });
});
