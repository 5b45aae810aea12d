import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FileSystem } from '../../src/files';
import { openStore, recordFolders, tempFolder } from './helpers';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The fsync of a generation folder runs on the thread pool while the window goes on. If the folder is given up
 * meanwhile (its key folder was removed and another read noticed), its descriptor must stay open until the fsync is
 * done: closed early, the fsync fails with EBADF — or, if the number was handed out again, flushes another file
 * while the update is acknowledged as durable. A slow disk is played by the seam, which holds folder fsyncs back.
 */
describe.skipIf(process.platform === 'win32')('a generation folder given up while its fsync is in flight', () => {
  it('keeps its descriptor open until the fsync is done, then closes it', async () => {
    const dir = tempFolder();
    const real = fs as unknown as FileSystem;
    const open = new Map<number, string>();
    const held: Array<() => void> = [];
    const issued: Array<{ path: string | undefined; openThen: boolean }> = [];
    let hold = false;
    const seam: FileSystem = {
      ...real,
      openSync: (path: string, flags: number, mode?: number) => {
        const fd = real.openSync(path, flags, mode);
        open.set(fd, path);
        return fd;
      },
      closeSync: (fd: number) => {
        open.delete(fd);
        real.closeSync(fd);
      },
      fsync: (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
        const isFolder = /g-[0-9a-f]{16}$/.test(open.get(fd) ?? '');
        const run = (): void => {
          if (isFolder) issued.push({ path: open.get(fd), openThen: open.has(fd) });
          real.fsync(fd, callback);
        };
        if (hold && isFolder) held.push(run);
        else run();
      },
    };
    const store = openStore(dir, { fileSystem: seam } as never);
    await store.set('k', 0);
    const gen = recordFolders(dir)[0] ?? '';
    issued.length = 0;
    hold = true;
    const update = store.update('k', (n: number) => n + 1);
    while (held.length === 0) await sleep(1);
    // Someone removes the key's folder; a read notices, and this window gives the generation up.
    fs.rmSync(`${gen}/..`, { recursive: true, force: true });
    await store.read('k').catch(() => undefined);
    hold = false;
    for (const run of held.splice(0)) run();
    await expect(update).resolves.toMatchObject({ version: 2, payload: 1 });
    expect(issued).toEqual([{ path: gen, openThen: true }]);
    // Closed once the fsync was done: no descriptor of the given-up folder is left open.
    expect([...open.values()].filter((path) => path === gen)).toEqual([]);
  });
});
