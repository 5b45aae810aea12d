import { readdirSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { StoreError } from '../../../src/store';
import { openStore, recordFolders, tempFolder } from './helpers';

/** A disk that fills up on demand: writes of temp files fail with ENOSPC while `full` is set. */
const disk = { full: false };

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof real.open = async (path, flags, mode) => {
    const handle = await real.open(path, flags, mode);
    if (!disk.full || !String(path).includes('.tmp-')) return handle;
    const writeFile: typeof handle.writeFile = async () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    return Object.assign(Object.create(handle) as typeof handle, { writeFile });
  };
  return { ...real, default: { ...real, open }, open };
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
    const folder = recordFolders(dir)[0] ?? '';
    expect(readdirSync(folder).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect(await store.read('k')).toMatchObject({ version: 1, payload: 1 });
    expect(await store.update('k', (c: number) => c + 1)).toMatchObject({ version: 2, payload: 2 });
  });
});
