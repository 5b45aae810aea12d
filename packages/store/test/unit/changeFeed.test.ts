import { describe, expect, it } from 'vitest';
import type { StorageWrapper, StoreChange, WatchMode } from '../../src';
import { openStore, tempFolder } from './helpers';

/** Resolves when `predicate` holds, checking on every change event and every 10 ms (no timing is asserted). */
function until(predicate: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (predicate()) resolve();
      else setTimeout(check, 10);
    };
    check();
  });
}

describe.each<WatchMode>(['events', 'poll', 'auto'])('change feed between two instances (watch: %s)', (watch) => {
  function pair(): { writer: StorageWrapper; reader: StorageWrapper } {
    const dir = tempFolder();
    return { writer: openStore(dir, { watch, clientId: 'writer', pollIntervalMs: 20 }), reader: openStore(dir, { watch, clientId: 'reader', pollIntervalMs: 20 }) };
  }

  it('delivers X and Y committed back to back (X not hidden), after get already returns them', async () => {
    const { writer, reader } = pair();
    const seen: Array<[string, number, unknown]> = [];
    reader.createTouchWatcher((key, version) => seen.push([key, version, reader.get(key).payload]));
    await writer.set('X', 'x1');
    await writer.set('Y', 'y1');
    await until(() => seen.some(([k]) => k === 'X') && seen.some(([k]) => k === 'Y'));
    expect(seen).toContainEqual(['X', 1, 'x1']);
    expect(seen).toContainEqual(['Y', 1, 'y1']);
  });

  it('moves a cached absent key (get before any commit) to the committed record', async () => {
    const { writer, reader } = pair();
    expect(reader.get('later', 'none')).toMatchObject({ version: 0, payload: 'none' });
    const seen: string[] = [];
    reader.createTouchWatcher((key, version) => seen.push(`${key}@${version}:${String(reader.get(key).payload)}`));
    await writer.set('later', 'here');
    await until(() => seen.length > 0);
    expect(seen).toEqual(['later@1:here']);
  });

  it('never reports an instance its own commits, and each key/version at most once', async () => {
    const { writer, reader } = pair();
    const writerSaw: string[] = [];
    writer.createTouchWatcher((key) => writerSaw.push(key));
    const readerSaw: string[] = [];
    const changes: StoreChange[] = [];
    reader.createTouchWatcher((key, version) => readerSaw.push(`${key}@${version}`));
    reader.onDidChange((e) => changes.push(e));
    // Loaded before the writes: a key's first load is silent by design, every later version is a change.
    expect(reader.get('n').version).toBe(0);
    for (let i = 0; i < 20; i++) await writer.update('n', (c: number) => c + 1, 0);
    await until(() => readerSaw.includes('n@20'));
    await reader.set('fromReader', 1);
    await until(() => writerSaw.length > 0);
    expect(new Set(readerSaw).size).toBe(readerSaw.length);
    expect(readerSaw).toContain('n@20');
    expect(readerSaw.every((s) => s.startsWith('n@'))).toBe(true);
    expect(writerSaw).toEqual(['fromReader']);
    expect(changes.filter((c) => c.source === 'local').map((c) => c.key)).toEqual(['fromReader']);
    expect(changes.every((c) => c.source === 'local' || c.key === 'n')).toBe(true);
    expect(reader.getMetrics().remoteChanges).toBe(readerSaw.length);
    expect(reader.getMetrics().feedLatencyMs.count).toBe(readerSaw.length);
  });

  it('reports deletes as changes with deleted: true', async () => {
    const { writer, reader } = pair();
    await writer.set('k', 1);
    await until(() => reader.get('k').version === 1);
    const changes: StoreChange[] = [];
    reader.onDidChange((e) => changes.push(e));
    await writer.delete('k');
    await until(() => changes.length > 0);
    expect(changes).toEqual([{ key: 'k', version: 2, source: 'remote', deleted: true }]);
    expect(reader.get('k', 'd').payload).toBe('d');
  });

  it('a listener that throws does not break the feed', async () => {
    const logs: string[] = [];
    const dir = tempFolder();
    const writer = openStore(dir, { watch, pollIntervalMs: 20 });
    const reader = openStore(dir, { watch, pollIntervalMs: 20, log: (_l, m) => logs.push(m) });
    reader.createTouchWatcher(() => {
      throw new Error('bad listener');
    });
    const seen: number[] = [];
    reader.createTouchWatcher((_k, v) => seen.push(v));
    await writer.set('k', 1);
    await until(() => seen.length === 1);
    await writer.set('k', 2);
    await until(() => seen.length === 2);
    expect(logs.some((m) => m.includes('bad listener'))).toBe(true);
  });

  it('a disposed watcher is not called again', async () => {
    const { writer, reader } = pair();
    const seen: number[] = [];
    const watcher = reader.createTouchWatcher((_k, v) => seen.push(v));
    await writer.set('k', 1);
    await until(() => seen.length === 1);
    watcher.dispose();
    await writer.set('k', 2);
    await until(() => reader.get('k').version === 2);
    expect(seen).toEqual([1]);
  });
});

describe('watch mode', () => {
  it('reports the mode in use', () => {
    expect(openStore(tempFolder(), { watch: 'poll' }).getMetrics().watchMode).toBe('poll');
    expect(openStore(tempFolder(), { watch: 'events' }).getMetrics().watchMode).toBe('events');
  });
});
