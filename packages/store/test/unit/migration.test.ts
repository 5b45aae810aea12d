import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, tempFolder } from './helpers';
import { StorageWrapper } from '../../src';

function fakeGlobalState(values: Record<string, unknown>): { get(key: string): unknown; update(key: string, value: unknown): Promise<void>; reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    get: (key) => {
      reads.push(key);
      return values[key];
    },
    update: async (key, value) => {
      values[key] = value;
    },
  };
}

describe('migration from globalState', () => {
  it('imports plain values of the named keys as version 1, once, even with several instances at once', async () => {
    const dir = tempFolder();
    const state = fakeGlobalState({ xp: 120, streak: { days: 3 }, unrelated: 'x' });
    const stores = [0, 1, 2].map(() => new StorageWrapper({ globalStoragePath: dir, globalState: state }, { migrate: ['xp', 'streak', 'absent'] }));
    await Promise.all(stores.map((s) => s.ready));
    for (const store of stores) {
      expect(store.get('xp')).toMatchObject({ version: 1, payload: 120 });
      expect(store.get('streak')).toMatchObject({ version: 1, payload: { days: 3 } });
      expect(store.get('absent').version).toBe(0);
      expect(store.get('unrelated').version).toBe(0);
    }
    expect(stores.reduce((sum, s) => sum + s.getMetrics().commits, 0)).toBe(2);
    expect(readdirSync(join(dir, 'migrated'))).toHaveLength(2);
    for (const s of stores) s.dispose();
  });

  it('does not import again after a delete', async () => {
    const dir = tempFolder();
    const state = fakeGlobalState({ xp: 5 });
    const first = openStore(dir, {});
    const a = new StorageWrapper({ globalStoragePath: dir, globalState: state }, { migrate: ['xp'] });
    await a.ready;
    await a.delete('xp');
    a.dispose();
    const b = new StorageWrapper({ globalStoragePath: dir, globalState: state }, { migrate: ['xp'] });
    await b.ready;
    expect(b.get('xp', 'gone')).toMatchObject({ version: 2, payload: 'gone' });
    expect(first.keys()).toEqual([]);
    b.dispose();
  });

  it('does not overwrite a key that already has records', async () => {
    const dir = tempFolder();
    await openStore(dir).set('xp', 999);
    const store = new StorageWrapper({ globalStoragePath: dir, globalState: fakeGlobalState({ xp: 1 }) }, { migrate: ['xp'] });
    await store.ready;
    expect(store.get('xp')).toMatchObject({ version: 1, payload: 999 });
    store.dispose();
  });

  it('an update issued before ready builds on the imported value', async () => {
    const dir = tempFolder();
    const store = new StorageWrapper({ globalStoragePath: dir, globalState: fakeGlobalState({ xp: 10 }) }, { migrate: ['xp'] });
    const r = await store.update('xp', (c: number) => c + 1, 0);
    expect(r).toMatchObject({ version: 2, payload: 11 });
    store.dispose();
  });

  it('a value that is not JSON data is skipped and logged; ready still resolves', async () => {
    const logs: string[] = [];
    const store = new StorageWrapper(
      { globalStoragePath: tempFolder(), globalState: fakeGlobalState({ when: new Date(0), n: NaN }) },
      { migrate: ['when', 'n', ''], log: (_l, m) => logs.push(m) },
    );
    await expect(store.ready).resolves.toBeUndefined();
    expect(store.get('when').version).toBe(0);
    expect(logs.filter((m) => m.includes('migration'))).toHaveLength(3);
    store.dispose();
  });
});
