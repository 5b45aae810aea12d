import { readdirSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { StoreError } from '../../../src/store';
import { listTree, openStore, recordFolders, tempFolder } from './helpers';

/** A disk that fills up on demand: writes of temp files fail with ENOSPC while `full` is set. */
const disk = { full: false };

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const tempFds = new Set<number>();
  const track = (path: unknown, fd: number): void => {
    if (String(path).includes('.tmp-')) tempFds.add(fd);
    else tempFds.delete(fd);
  };
  const openSync = ((...args: Parameters<typeof real.openSync>) => {
    const fd = real.openSync(...args);
    track(args[0], fd);
    return fd;
  }) as typeof real.openSync;
  const writeSync = ((fd: number, ...rest: unknown[]) => {
    if (disk.full && tempFds.has(fd)) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    return (real.writeSync as (...args: unknown[]) => number)(fd, ...rest);
  }) as typeof real.writeSync;
  return { ...real, default: { ...real, openSync, writeSync }, openSync, writeSync };
});

describe('I/O failures', () => {
  it('a full disk rejects the update with StoreError (cause attached), leaves no temp file, keeps the last record', async () => {
    const dir = tempFolder();
    const store = openStore(dir);
    await store.set('k', 1);
    disk.full = true;
    const error = await store.update('k', (c: number) => c + 1).then(
      () => undefined,
      (e: unknown) => e,
    );
    disk.full = false;
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).key).toBe('k');
    expect(((error as StoreError).cause as { code?: string }).code).toBe('ENOSPC');
    // No temp file anywhere: not in the key's folder, not in this window's scratch folder.
    expect(listTree(dir).filter((path) => path.includes('.tmp-'))).toEqual([]);
    expect(readdirSync(recordFolders(dir)[0] ?? '').filter((n) => /^v\d+\.json$/.test(n))).toHaveLength(1);
    expect(await store.read('k')).toMatchObject({ version: 1, payload: 1 });
    expect(await store.update('k', (c: number) => c + 1)).toMatchObject({ version: 2, payload: 2 });
  });
});
