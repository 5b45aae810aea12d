import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FileSystem } from '../../src/files';
import { openStore, recordFolders, tempFolder, versionFiles } from './helpers';

/**
 * Old records are removed off the event loop: removing a file's last name frees its blocks, which takes milliseconds
 * on a disk mounted with online discard and a round trip on a network folder. Here removals are held back through
 * the store's file-system seam, to see that no update waits for them and that none is forgotten.
 */
function heldRemovals(): { fileSystem: FileSystem; held: (() => void)[]; releaseAll(): void } {
  const held: (() => void)[] = [];
  const real = fs as unknown as FileSystem;
  const fileSystem = new Proxy(real, {
    get(target, name: keyof FileSystem) {
      if (name !== 'unlink') return target[name];
      return (path: string, callback: (error: NodeJS.ErrnoException | null) => void) => held.push(() => real.unlink(path, callback));
    },
  });
  return {
    fileSystem,
    held,
    releaseAll() {
      for (const release of held.splice(0)) release();
    },
  };
}

describe('collection of old records', () => {
  it('updates resolve while old records are still being removed; dispose waits for the removals', async () => {
    const dir = tempFolder();
    const removals = heldRemovals();
    const store = openStore(dir, { keepVersions: 2, fileSystem: removals.fileSystem } as never);
    for (let i = 0; i < 10; i++) await store.update('k', (n: number) => n + 1, 0);
    expect(store.get('k').payload).toBe(10);
    const folder = recordFolders(dir)[0] ?? '';
    // One removal is under way (one file at a time), the records after it wait their turn.
    expect(removals.held.length).toBe(1);
    expect(versionFiles(folder).length).toBeGreaterThan(4);

    let disposed = false;
    const disposing = store.dispose().then(() => {
      disposed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(disposed).toBe(false);
    while (!disposed) {
      removals.releaseAll();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await disposing;
    // The collections asked for while removing ran afterwards: the folder is back to its bound.
    expect(versionFiles(folder).map((name) => Number(name.slice(1, 13)))).toEqual([9, 10]);
  });

  it('a record that cannot be removed is chosen again by the next collection', async () => {
    const dir = tempFolder();
    let refuse = true;
    const real = fs as unknown as FileSystem;
    const fileSystem = new Proxy(real, {
      get(target, name: keyof FileSystem) {
        if (name !== 'unlink') return target[name];
        return (path: string, callback: (error: NodeJS.ErrnoException | null) => void) =>
          refuse ? callback(Object.assign(new Error('EBUSY: injected, unlink'), { code: 'EBUSY' })) : real.unlink(path, callback);
      },
    });
    const store = openStore(dir, { keepVersions: 2, fileSystem } as never);
    for (let i = 0; i < 6; i++) await store.update('k', (n: number) => n + 1, 0);
    const folder = recordFolders(dir)[0] ?? '';
    expect(versionFiles(folder).length).toBe(6);
    refuse = false;
    for (let i = 0; i < 2; i++) await store.update('k', (n: number) => n + 1, 0);
    await store.dispose();
    expect(versionFiles(folder).map((name) => Number(name.slice(1, 13)))).toEqual([7, 8]);
    expect(fs.readFileSync(`${folder}/${versionFiles(folder).at(-1) ?? ''}`, 'utf8')).toContain('"payload":8');
  });
});
