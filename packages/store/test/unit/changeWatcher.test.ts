import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageWrapper } from '../../src';
import { ChangeWatcher } from '../../src/changeWatcher';
import type { FileSystem } from '../../src/files';
import { tempFolder } from './helpers';

/**
 * The watcher hands the store, per key and turn of the event loop, the one file the events named, so that the
 * store can skip listing the folder. A commit's link and collection's removals often arrive in one turn: the newest
 * record among them decides, since the store ignores any record below its known head.
 */
describe('change watcher: one look per key and turn', () => {
  const watchers: ChangeWatcher[] = [];
  afterEach(() => {
    for (const w of watchers.splice(0)) w.dispose();
  });

  async function burst(files: { create?: string[]; remove?: string[] }): Promise<Array<[string | undefined, string | undefined]>> {
    const records = join(tempFolder(), 'records');
    const gen = join(records, 'k-1', 'g-1');
    fs.mkdirSync(gen, { recursive: true });
    for (const name of files.remove ?? []) fs.writeFileSync(join(gen, name), '{}');
    const calls: Array<[string | undefined, string | undefined]> = [];
    const watcher = new ChangeWatcher({ fs: fs as unknown as FileSystem, recordsPath: records, mode: 'events', pollIntervalMs: 100, onChange: (n, f) => calls.push([n, f]), log: () => undefined });
    watchers.push(watcher);
    watcher.watch('k-1', gen);
    await new Promise((resolve) => setTimeout(resolve, 50));
    calls.length = 0;
    for (const name of files.create ?? []) fs.writeFileSync(join(gen, name), '{}');
    for (const name of files.remove ?? []) fs.unlinkSync(join(gen, name));
    for (let i = 0; i < 100 && calls.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    return calls;
  }

  it('a link and removals of older records in one turn: the newest record is named', async () => {
    const calls = await burst({ create: ['v000000000009.json'], remove: ['v000000000005.json', 'v000000000006.json'] });
    expect(calls.length).toBeGreaterThan(0);
    // Each call names a record, and the link's record is among them (events may split over turns).
    for (const [name, file] of calls) {
      expect(name).toBe('k-1');
      expect(file).toMatch(/^v\d{12}\.json$/);
    }
    expect(calls.map(([, file]) => file)).toContain('v000000000009.json');
  });

  it('a file that is not a record among them is named too, beside the newest record (a convergent slot is read alone; the store lists the folder for any other)', async () => {
    const calls = await burst({ create: ['v000000000009.json', 'corrupt-v000000000008.json', 'c-0a1b2c3d-42-0a1b2c3d-0.json'] });
    const files = calls.map(([, file]) => file);
    expect(files).toContain('v000000000009.json');
    expect(files).toContain('corrupt-v000000000008.json');
    expect(files).toContain('c-0a1b2c3d-42-0a1b2c3d-0.json');
  });
});

/** inotify watches this process holds (Linux: one `inotify wd:` line per watch in the inotify descriptor's fdinfo). */
function inotifyWatches(): number {
  let count = 0;
  for (const fd of fs.readdirSync('/proc/self/fdinfo')) {
    try {
      count += fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n').filter((line) => line.startsWith('inotify wd:')).length;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

describe.runIf(process.platform === 'linux')('dispose with updates in flight', () => {
  it('leaves no file watcher open: watch() and expectEcho() after dispose do nothing', async () => {
    const dir = tempFolder();
    const before = inotifyWatches();
    const store = new StorageWrapper({ globalStoragePath: dir }, { watch: 'events' });
    // Queued, not yet run: each commits after dispose() began, and would watch its new generation folder.
    const updates = ['a', 'b', 'c'].map((key) => store.update(key, (n: number) => n + 1, 0));
    expect(inotifyWatches()).toBeGreaterThan(before);
    await store.dispose();
    await Promise.all(updates);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(inotifyWatches()).toBe(before);
  });

  it('a disposed watcher ignores watch() and expectEcho()', () => {
    const records = join(tempFolder(), 'records');
    const gen = join(records, 'k-1', 'g-1');
    fs.mkdirSync(gen, { recursive: true });
    const calls: unknown[] = [];
    const before = inotifyWatches();
    const watcher = new ChangeWatcher({ fs: fs as unknown as FileSystem, recordsPath: records, mode: 'auto', pollIntervalMs: 100, onChange: (n) => calls.push(n), log: () => undefined });
    watcher.dispose();
    watcher.watch('k-1', gen);
    watcher.expectEcho('k-1');
    expect(inotifyWatches()).toBe(before);
  });
});

describe('polling where folder times are coarse (whole seconds, as over SFTP)', () => {
  it('a second commit within the same second as the first is noticed', async () => {
    const records = join(tempFolder(), 'records');
    const gen = join(records, 'k-1', 'g-1');
    fs.mkdirSync(gen, { recursive: true });
    const second = 1_000_000_000n;
    const coarse: FileSystem = {
      ...(fs as unknown as FileSystem),
      lstatSync: (path, options) => {
        const stats = fs.lstatSync(path, options);
        return Object.assign(stats, { ctimeNs: (stats.mtimeNs / second) * second, mtimeNs: (stats.mtimeNs / second) * second });
      },
    };
    const calls: Array<string | undefined> = [];
    const watcher = new ChangeWatcher({ fs: coarse, recordsPath: records, mode: 'poll', pollIntervalMs: 20, onChange: (n, f) => n === 'k-1' && calls.push(f), log: () => undefined });
    try {
      watcher.watch('k-1', gen);
      // Early in a later second than the folder's (with a margin for the kernel's coarse clock): the first commit
      // changes the stamp, the second, 150 ms later, does not.
      await new Promise((resolve) => setTimeout(resolve, 250));
      while (Date.now() % 1000 < 50 || Date.now() % 1000 > 200) await new Promise((resolve) => setTimeout(resolve, 5));
      fs.writeFileSync(join(gen, 'v000000000001.json'), '{}');
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(calls.length).toBeGreaterThan(0);
      calls.length = 0;
      fs.writeFileSync(join(gen, 'v000000000002.json'), '{}');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(calls).toContain('v000000000002.json');
    } finally {
      watcher.dispose();
    }
  });
});
