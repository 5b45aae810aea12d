import * as fs from 'node:fs';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileSystem } from '../../src/files';
import { listTree, openStore, tempFolder } from './helpers';

/**
 * A lost compare-and-set: another window linked the sequence first. Here the other window is played by the test,
 * which puts a real record at the name just before this store's link (what a faster window does), so the link
 * really fails with EEXIST and the store really retries on the new head.
 */
function racedFs(races: { left: number }, creates: string[]): FileSystem {
  const real = fs as unknown as FileSystem;
  return {
    ...real,
    openSync: (path: string, flags: number, mode?: number) => {
      if (flags & fs.constants.O_CREAT) creates.push(path);
      return real.openSync(path, flags, mode);
    },
    linkSync: (from: string, to: string) => {
      if (races.left > 0 && /v\d+\.json$/.test(to)) {
        races.left--;
        fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL); // the other window's record: same shape, its own file
      }
      real.linkSync(from, to);
    },
  };
}

describe('a lost race', () => {
  it('rewrites its temp file for the next attempt (one file per update, not one per attempt), and what commits is exactly the last attempt', async () => {
    const dir = tempFolder();
    const races = { left: 0 };
    const creates: string[] = [];
    const store = openStore(dir, { fileSystem: racedFs(races, creates) } as never);
    await store.set('k', { n: 0, note: '' });
    creates.length = 0;
    races.left = 3;
    let runs = 0;
    // Each run's record is shorter than the one before, so a rewrite that left old bytes behind would not parse.
    const result = await store.update('k', (v: { n: number; note: string }) => ({ n: v.n + 1, note: 'x'.repeat(300 - 100 * runs++) }));
    expect(races.left).toBe(0);
    expect(runs).toBe(4);
    expect(store.getMetrics()).toMatchObject({ conflicts: 3 });
    // The three "other windows" committed runs 1–3 (each built on the one before); ours, run 4, is on top.
    expect(result).toMatchObject({ version: 5, payload: { n: 4, note: '' } });
    expect(await openStore(dir).read('k')).toMatchObject({ version: 5, payload: { n: 4, note: '' } });
    expect(creates.filter((p) => p.startsWith(join(dir, 'tmp') + sep))).toHaveLength(1);
    expect(listTree(dir).filter((p) => p.startsWith('tmp/'))).toEqual([]);
  });

  it('an update that gives up after lost races leaves no temp file behind', async () => {
    const dir = tempFolder();
    const races = { left: 0 };
    const store = openStore(dir, { fileSystem: racedFs(races, []), maxRetries: 2 } as never);
    await store.set('k', 0);
    races.left = 10;
    await expect(store.update('k', (n: number) => n + 1)).rejects.toMatchObject({ name: 'ConflictError' });
    expect(listTree(dir).filter((p) => p.startsWith('tmp/'))).toEqual([]);
    await store.dispose();
  });
});
