import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageWrapper, StoreError } from '../../src';
import type { StoreChange } from '../../src';
import { openStore, recordFolders, tempFolder, versionFiles } from './helpers';

describe('StorageWrapper basics', () => {
  it('gives version 0 and the default for an absent key', () => {
    const store = openStore();
    expect(store.get('missing', 7)).toEqual({ version: 0, lastModified: '', clientId: '', payload: 7 });
    expect(store.get('missing').payload).toBeUndefined();
  });

  it('commits versions 1, 2, 3 … and another instance on the same folder reads them', async () => {
    const dir = tempFolder();
    const a = openStore(dir, { clientId: 'a' });
    expect((await a.set('k', { n: 1 })).version).toBe(1);
    const second = await a.update<{ n: number }>('k', (c) => ({ n: c.n + 1 }));
    expect(second).toMatchObject({ version: 2, clientId: 'a', payload: { n: 2 } });
    expect(Date.parse(second.lastModified)).not.toBeNaN();
    const b = openStore(dir, { clientId: 'b' });
    expect(b.get('k')).toEqual(second);
    expect(await b.read('k')).toEqual(second);
  });

  it('accepts globalStorageUri and prefers it over globalStoragePath', async () => {
    const uriDir = tempFolder();
    const store = new StorageWrapper({ globalStorageUri: { fsPath: uriDir }, globalStoragePath: tempFolder() });
    await store.set('x', 1);
    expect(store.storagePath).toBe(uriDir);
    expect(recordFolders(uriDir)).toHaveLength(1);
    store.dispose();
  });

  it('rejects a context without a folder', () => {
    expect(() => new StorageWrapper({})).toThrow(TypeError);
  });

  it('update applies the updater to the default for an absent key', async () => {
    const store = openStore();
    const r = await store.update('count', (c: number) => c + 1, 41);
    expect(r).toMatchObject({ version: 1, payload: 42 });
  });

  it('hands the updater a private copy: mutating it does not touch the cache', async () => {
    const store = openStore();
    await store.set('obj', { list: [1, 2] });
    const before = store.get<{ list: number[] }>('obj');
    await store.update<{ list: number[] }>('obj', (c) => {
      c.list.push(3);
      return c;
    });
    expect(before.payload.list).toEqual([1, 2]);
    expect(store.get<{ list: number[] }>('obj').payload.list).toEqual([1, 2, 3]);
  });

  it('returns deep-frozen values from get (shared, never cloned per call)', async () => {
    const store = openStore();
    await store.set('obj', { inner: { n: 1 } });
    const got = store.get<{ inner: { n: number } }>('obj');
    expect(Object.isFrozen(got)).toBe(true);
    expect(Object.isFrozen(got.payload.inner)).toBe(true);
    expect(() => {
      got.payload.inner.n = 2;
    }).toThrow(TypeError);
    expect(store.get('obj')).toBe(got);
  });

  it('set copies the value: later mutation by the caller is not stored', async () => {
    const store = openStore();
    const value = { n: 1 };
    const pending = store.set('v', value);
    value.n = 99;
    expect((await pending).payload).toEqual({ n: 1 });
  });

  it('an updater that throws rejects with that error and writes nothing', async () => {
    const dir = tempFolder();
    const store = openStore(dir);
    await store.set('k', 1);
    const boom = new Error('boom');
    await expect(
      store.update('k', () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(versionFiles(recordFolders(dir)[0] ?? '')).toEqual(['v000000000001.json']);
    expect((await store.update('k', (c: number) => c + 1)).version).toBe(2);
  });

  it('delete commits a tombstone: the key is gone from keys(), versions keep going up', async () => {
    const dir = tempFolder();
    const store = openStore(dir);
    await store.set('a', 1);
    await store.set('b', 2);
    const deleted = await store.delete('a');
    expect(deleted).toMatchObject({ version: 2, payload: undefined });
    expect(store.keys().sort()).toEqual(['b']);
    expect(store.get('a', 'dflt')).toMatchObject({ version: 2, payload: 'dflt' });
    expect(await store.read('a', 'dflt')).toMatchObject({ version: 2, payload: 'dflt' });
    const again = await store.update('a', (c: number) => c + 10, 0);
    expect(again).toMatchObject({ version: 3, payload: 10 });
    const other = openStore(dir);
    expect(other.keys().sort()).toEqual(['a', 'b']);
  });

  it('records are readable JSON naming key, version and writer', async () => {
    const dir = tempFolder();
    const store = openStore(dir, { clientId: 'me' });
    await store.set('readable', { hello: 'world' });
    const folder = recordFolders(dir)[0] ?? '';
    const record = JSON.parse(readFileSync(join(folder, 'v000000000001.json'), 'utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({ version: 1, key: 'readable', clientId: 'me', payload: { hello: 'world' } });
    expect(JSON.parse(readFileSync(join(folder, 'key.json'), 'utf8'))).toEqual({ key: 'readable' });
  });

  it('queues updates of one key: 200 concurrent increments in one instance all land', async () => {
    const store = openStore();
    const results = await Promise.all(Array.from({ length: 200 }, () => store.update('n', (c: number) => c + 1, 0)));
    expect(new Set(results.map((r) => r.version)).size).toBe(200);
    expect(store.get('n')).toMatchObject({ version: 200, payload: 200 });
    expect(store.getMetrics()).toMatchObject({ commits: 200, conflicts: 0, conflictErrors: 0 });
  }, 60_000);

  it('two instances in one process never lose or double an increment', async () => {
    const dir = tempFolder();
    const a = openStore(dir);
    const b = openStore(dir);
    await Promise.all([
      ...Array.from({ length: 60 }, () => a.update('n', (c: number) => c + 1, 0)),
      ...Array.from({ length: 60 }, () => b.update('n', (c: number) => c + 1, 0)),
    ]);
    expect(await a.read('n')).toMatchObject({ version: 120, payload: 120 });
  }, 60_000);

  it('fires onDidChange for local commits with source "local"', async () => {
    const store = openStore();
    const seen: StoreChange[] = [];
    store.onDidChange((e) => seen.push(e));
    await store.set('k', 1);
    await store.delete('k');
    expect(seen).toEqual([
      { key: 'k', version: 1, source: 'local', deleted: false },
      { key: 'k', version: 2, source: 'local', deleted: true },
    ]);
  });

  it('rejects new updates after dispose with StoreError', async () => {
    const store = openStore();
    store.dispose();
    await expect(store.set('k', 1)).rejects.toBeInstanceOf(StoreError);
  });

  it('lets updates queued before dispose finish', async () => {
    const store = openStore();
    const pending = Promise.all([store.set('k', 1), store.update('k', (c: number) => c + 1)]);
    store.dispose();
    const [, second] = await pending;
    expect(second).toMatchObject({ version: 2, payload: 2 });
  });

  it('a ready store reports metrics in the documented shape', async () => {
    const store = openStore(tempFolder(), { watch: 'poll' });
    await store.ready;
    expect(store.getMetrics()).toEqual({
      commits: 0, conflicts: 0, retries: 0, conflictErrors: 0, corruptRecords: 0, remoteChanges: 0,
      feedLatencyMs: { p50: 0, p99: 0, count: 0 },
      feedLatencyHistogram: [1, 5, 20, 100, 500, 2000, null].map((upToMs) => ({ upToMs, count: 0 })),
      remoteChangesFoundBy: { event: 0, poll: 0, refresh: 0, update: 0 },
      collections: 0, folds: 0, foldedWriters: 0, watchMode: 'poll',
    });
  });

  it('says how other windows’ commits were found (file event, polling), histograms their latency and counts collections and folds', async () => {
    const dir = tempFolder();
    const writer = openStore(dir, { keepVersions: 2 });
    const byEvents = openStore(dir, { watch: 'events' });
    const byPolling = openStore(dir, { watch: 'poll', pollIntervalMs: 10 });
    byEvents.get('k');
    byPolling.get('k');
    for (let i = 0; i < 4; i++) await writer.set('k', i);
    const seen = (s: typeof writer) => s.getMetrics().remoteChanges;
    for (let i = 0; i < 200 && (seen(byEvents) < 1 || byPolling.get('k').payload !== 3); i++) await new Promise((r) => setTimeout(r, 10));
    const events = byEvents.getMetrics();
    const polling = byPolling.getMetrics();
    expect(events.remoteChangesFoundBy.event).toBeGreaterThan(0);
    expect(events.remoteChangesFoundBy.poll).toBe(0);
    expect(polling.remoteChangesFoundBy.poll).toBeGreaterThan(0);
    expect(polling.remoteChangesFoundBy.event).toBe(0);
    expect(polling.feedLatencyHistogram.reduce((n, b) => n + b.count, 0)).toBe(polling.remoteChanges);
    expect(writer.getMetrics().collections).toBe(2);
    await writer.counter('c').add(1);
    const other = openStore(dir);
    other.counter('c');
    await writer.dispose();
    expect(writer.getMetrics()).toMatchObject({ folds: 1, foldedWriters: 1 });
  });
});

describe('ownership of values', () => {
  it('does not freeze the object an updater returned', async () => {
    const store = openStore();
    const mine = { list: [1] };
    await store.update('k', () => mine);
    expect(Object.isFrozen(mine)).toBe(false);
    mine.list.push(2);
    expect(store.get<{ list: number[] }>('k').payload.list).toEqual([1]);
  });
});
