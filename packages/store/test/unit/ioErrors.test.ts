import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src';
import type { FileSystem } from '../../src/files';
import { listTree, openStore, recordFolders, tempFolder, versionFiles } from './helpers';

/**
 * The errors that no real fault produces on this machine, injected through the store's file-system seam, to test
 * the rule for failures: an update that rejects with `applied: false` was not committed; one that was committed
 * says so (`applied: true`), or `'unknown'` when it cannot be told; nothing is ever applied twice.
 */
type Hook = { [K in keyof FileSystem]?: (...args: Parameters<FileSystem[K]>) => 'real' | void };

function faultyFs(hook: Hook): FileSystem {
  const real = fs as unknown as FileSystem;
  return new Proxy(real, {
    get(target, name: keyof FileSystem) {
      const original = target[name] as (...args: unknown[]) => unknown;
      const h = hook[name] as ((...args: unknown[]) => 'real' | void) | undefined;
      if (h === undefined) return original;
      return (...args: unknown[]) => (h(...args) === 'real' ? original(...args) : undefined);
    },
  });
}

function fail(code: string, syscall: string): never {
  throw Object.assign(new Error(`${code}: injected, ${syscall}`), { code, syscall });
}

async function rejection(promise: Promise<unknown>): Promise<StoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

const tempNames = (dir: string): string[] => listTree(dir).filter((p) => p.startsWith('tmp/'));

describe('the rule for failures', () => {
  it('a link refused with EPERM onto a name another writer holds (sshfs: SFTP has no "exists"): a conflict, retried above it', async () => {
    const dir = tempFolder();
    const other = openStore(dir);
    await other.set('k', 1);
    const sshfsLike = { on: true };
    const store = openStore(dir, {
      watch: 'poll',
      pollIntervalMs: 60_000,
      fileSystem: faultyFs({
        linkSync: (from: string, to: string) => {
          if (sshfsLike.on && fs.existsSync(to)) fail('EPERM', 'link');
          fs.linkSync(from, to);
        },
      }),
    } as never);
    expect(store.get('k').version).toBe(1);
    await store.update('k', (c: number) => c + 1); // holds its intent; its cache is v2
    await other.update('k', (c: number) => c + 10); // v3, unseen by the polling window
    const result = await store.update('k', (c: number) => c + 100);
    expect(result).toMatchObject({ version: 4, payload: 112 });
    expect(store.getMetrics().conflicts).toBeGreaterThan(0);
  });

  it('a link refused with EPERM onto a free name (a real permission error) still rejects, applied false', async () => {
    const dir = tempFolder();
    const store = openStore(dir, { fileSystem: faultyFs({ linkSync: (from: string, to: string) => (/v\d{12}\.json$/.test(to) ? fail('EPERM', 'link') : fs.linkSync(from, to)) }) } as never);
    const error = await rejection(store.set('k', 1));
    expect(error.applied).toBe(false);
    expect((error.cause as { code?: string }).code).toBe('EPERM');
  });

  it('a full disk while writing the record: rejected, applied false, no temp file left, the last record stays', async () => {
    const dir = tempFolder();
    const full = { on: false };
    const store = openStore(dir, { fileSystem: faultyFs({ writeSync: () => (full.on ? fail('ENOSPC', 'write') : 'real') }) } as never);
    await store.set('k', 1);
    full.on = true;
    const error = await rejection(store.update('k', (c: number) => c + 1));
    full.on = false;
    expect(error.applied).toBe(false);
    expect(error.key).toBe('k');
    expect((error.cause as { code?: string }).code).toBe('ENOSPC');
    expect(tempNames(dir)).toEqual([]);
    expect(versionFiles(recordFolders(dir)[0] ?? '')).toHaveLength(1);
    expect(await store.read('k')).toMatchObject({ version: 1, payload: 1 });
    expect(await store.update('k', (c: number) => c + 1)).toMatchObject({ version: 2, payload: 2 });
  });

  it.each([
    ['EPERM on the folder fsync (as Windows gives)', 'folder', 'EPERM'],
    ['EIO on the record fsync', 'record', 'EIO'],
  ])('%s: rejected with applied true, committed exactly once', async (_name, which, code) => {
    const dir = tempFolder();
    const folderFds = new Set<number>();
    const armed = { on: false };
    const store = openStore(dir, {
      fileSystem: faultyFs({
        openSync: () => 'real',
        fsync: (fd, callback) => {
          const isFolder = fs.fstatSync(fd).isDirectory();
          if (isFolder) folderFds.add(fd);
          if (armed.on && (which === 'folder') === isFolder) return callback(Object.assign(new Error(`${code}: injected`), { code }));
          return 'real';
        },
      }),
    } as never);
    await store.set('n', 1);
    armed.on = true;
    const error = await rejection(store.update('n', (c: number) => c + 1));
    armed.on = false;
    expect(error.applied).toBe(true);
    expect(error.message).toContain('was committed');
    // The update is there once; a caller that honours `applied` does not retry, and nothing retried it.
    expect(await openStore(dir).read('n')).toMatchObject({ version: 2, payload: 2 });
    expect(store.get('n')).toMatchObject({ version: 2, payload: 2 });
    expect(tempNames(dir)).toEqual([]);
  });

  it('EEXIST from a link that did happen (a retransmitted NFS request): taken as our commit, applied once', async () => {
    const dir = tempFolder();
    const store = openStore(dir, {
      fileSystem: faultyFs({
        linkSync: (from, to) => {
          fs.linkSync(from, to);
          if (String(to).endsWith('.json') && !String(to).includes('migrated')) fail('EEXIST', 'link');
        },
      }),
    } as never);
    for (let i = 0; i < 5; i++) await store.update('n', (c: number) => c + 1, 0);
    expect(await openStore(dir).read('n')).toMatchObject({ version: 5, payload: 5 });
    expect(store.getMetrics()).toMatchObject({ commits: 5, conflicts: 0 });
  });

  it('EBUSY on a link (a file held for a moment) is retried, then the update lands once', async () => {
    const dir = tempFolder();
    let busy = 0;
    const store = openStore(dir, { fileSystem: faultyFs({ linkSync: () => (busy-- > 0 ? fail('EBUSY', 'link') : 'real') }) } as never);
    busy = 3;
    expect(await store.update('n', (c: number) => c + 1, 0)).toMatchObject({ version: 1, payload: 1 });
    expect(busy).toBeLessThan(0);
    expect(await openStore(dir).read('n')).toMatchObject({ version: 1, payload: 1 });
  });

  it('a link whose outcome cannot be told (EIO, then EIO looking): rejected with applied unknown, updater not re-run', async () => {
    const dir = tempFolder();
    const armed = { on: false };
    const store = openStore(dir, {
      fileSystem: faultyFs({
        linkSync: () => (armed.on ? fail('EIO', 'link') : 'real'),
        lstatSync: () => (armed.on ? fail('EIO', 'lstat') : 'real'),
      }),
    } as never);
    await store.set('n', 1);
    armed.on = true;
    let runs = 0;
    const error = await rejection(
      store.update('n', (c: number) => {
        runs++;
        return c + 1;
      }),
    );
    armed.on = false;
    expect(error.applied).toBe('unknown');
    expect(runs).toBe(1);
  });

  it('a read-only folder: the constructor does not throw, reads work, updates reject with a clear StoreError', async () => {
    const dir = tempFolder();
    const writer = openStore(dir);
    await writer.set('k', 'kept');
    const logs: string[] = [];
    const readOnly = faultyFs({
      mkdirSync: () => fail('EROFS', 'mkdir'),
      openSync: (_path, flags) => ((Number(flags) & fs.constants.O_CREAT) !== 0 ? fail('EROFS', 'open') : 'real'),
    });
    const store = openStore(dir, { fileSystem: readOnly, log: (_l: string, m: string) => logs.push(m) } as never);
    expect(store.get('k').payload).toBe('kept');
    expect(await store.read('k')).toMatchObject({ version: 1, payload: 'kept' });
    const error = await rejection(store.set('k', 'new'));
    expect(error.applied).toBe(false);
    expect(error.message).toContain('cannot be written');
    expect(logs.some((m) => m.includes('cannot be written'))).toBe(true);
    expect(await openStore(dir).read('k')).toMatchObject({ version: 1, payload: 'kept' });
  });

  it('a file system without hard links (FAT, exFAT): said at open, every update rejects, nothing half-written', async () => {
    const dir = tempFolder();
    const logs: string[] = [];
    const store = openStore(dir, { fileSystem: faultyFs({ linkSync: () => fail('EPERM', 'link') }), log: (_l: string, m: string) => logs.push(m) } as never);
    expect(logs.some((m) => m.includes('no hard links'))).toBe(true);
    const error = await rejection(store.set('k', 1));
    expect(error.applied).toBe(false);
    expect(error.message).toContain('no hard links');
    expect(store.get('k').version).toBe(0);
    expect(listTree(dir).filter((p) => p.endsWith('.json'))).toEqual([]);
  });
});
