import { spawnSync } from 'node:child_process';
import { readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConflictError, StorageWrapper } from '../../../src/store';
import type { StorageWrapperOptions } from '../../../src/store';
import { builtStore, tempFolder } from './harness';

/**
 * The commit protocol under real interleavings: a hook inside this process's link(2) of a version file runs
 * ANOTHER OS PROCESS to completion (spawnSync) exactly between our read of the head and our link (a stalled,
 * stale writer), or between our link and our resurrection check. The other process commits and collects for
 * real, on the same folder.
 */
const hooks: {
  beforeLink?: (target: string) => void;
  afterLink?: (target: string) => void;
  afterOpen?: (path: string, fd: number) => void;
} = {};

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const linkSync = (existing: import('node:fs').PathLike, target: import('node:fs').PathLike): void => {
    hooks.beforeLink?.(String(target));
    real.linkSync(existing, target);
    hooks.afterLink?.(String(target));
  };
  const openSync = (path: import('node:fs').PathLike, ...rest: unknown[]): number => {
    const fd = (real.openSync as (...args: unknown[]) => number)(path, ...rest);
    hooks.afterOpen?.(String(path), fd);
    return fd;
  };
  return { ...real, default: { ...real, linkSync, openSync }, linkSync, openSync };
});

let work: { dir: string; remove: () => void };
let storeModule: string;
const stores: StorageWrapper[] = [];

beforeAll(() => {
  work = tempFolder();
  storeModule = builtStore(work.dir);
});

afterAll(() => {
  for (const store of stores) store.dispose();
  work.remove();
});

let folders = 0;
function freshDir(): string {
  return join(work.dir, `storage-${folders++}`);
}

function open(dir: string, options: StorageWrapperOptions): StorageWrapper {
  const store = new StorageWrapper({ globalStoragePath: dir }, { watch: 'poll', ...options });
  stores.push(store);
  return store;
}

/** Another process commits `count` increments of `n` (and collects, keeping `keep` versions), to completion. */
function otherProcessIncrements(dir: string, count: number, keep: number, ending: 'dispose' | 'abrupt' = 'dispose'): void {
  const args = [join(__dirname, 'burst.cjs'), storeModule, dir, 'n', String(count), String(keep), ending];
  const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`the other process failed: ${result.stderr}`);
}

/** Arms a hook for the first link to `fileName`, then disarms it. */
function once(which: 'beforeLink' | 'afterLink', fileName: string, action: () => void): void {
  hooks[which] = (target) => {
    if (!target.endsWith(fileName)) return;
    hooks[which] = undefined;
    action();
  };
}

function versionFiles(dir: string): string[] {
  const records = join(dir, 'records');
  const [folder] = readdirSync(records);
  return readdirSync(join(records, folder ?? '')).filter((n) => /^v\d{12}\.json$/.test(n)).sort();
}

describe('resurrection of a collected version number (another process commits while we stall)', () => {
  it('a writer stalled on base v1 while v2 was committed and collected does not re-take v2', async () => {
    const dir = freshDir();
    const stale = open(dir, { clientId: 'stale' });
    await stale.set('n', 0);
    once('beforeLink', 'v000000000002.json', () => otherProcessIncrements(dir, 20, 2));
    const ack = await stale.update('n', (c: number) => c + 1);
    expect(ack).toMatchObject({ version: 22, payload: 21 });
    expect(stale.getMetrics().conflicts).toBe(1);
    expect(await open(dir, {}).read('n')).toMatchObject({ version: 22, payload: 21 });
    expect(versionFiles(dir)).not.toContain('v000000000002.json');
  });

  it('a writer that saw no record while v1 was committed and collected does not re-take v1', async () => {
    const dir = freshDir();
    const stale = open(dir, { clientId: 'stale' });
    once('beforeLink', 'v000000000001.json', () => otherProcessIncrements(dir, 20, 2));
    const ack = await stale.update('n', (c: number) => c + 1, 0);
    expect(ack).toMatchObject({ version: 21, payload: 21 });
    expect(stale.getMetrics().conflicts).toBe(1);
    expect(versionFiles(dir)).not.toContain('v000000000001.json');
  });

  it('a real commit whose successors were committed and collected before its check is kept (not applied twice)', async () => {
    const dir = freshDir();
    const slow = open(dir, { clientId: 'slow' });
    await slow.set('n', 0);
    once('afterLink', 'v000000000002.json', () => otherProcessIncrements(dir, 20, 2));
    const ack = await slow.update('n', (c: number) => c + 1);
    expect(ack).toMatchObject({ version: 2, payload: 1 });
    expect(slow.getMetrics().conflicts).toBe(0);
    expect(versionFiles(dir)).not.toContain('v000000000002.json'); // it really was collected under us
    expect(await open(dir, {}).read('n')).toMatchObject({ version: 22, payload: 21 });
  });

  it('a real commit collected under us and still in the trash (not yet freed) is recognised as collected, not applied twice', async () => {
    const dir = freshDir();
    const slow = open(dir, { clientId: 'slow' });
    await slow.set('n', 0);
    // The other window exits right after its increments: what it collected stays in the trash, still linked.
    once('afterLink', 'v000000000002.json', () => otherProcessIncrements(dir, 20, 2, 'abrupt'));
    const ack = await slow.update('n', (c: number) => c + 1);
    expect(ack).toMatchObject({ version: 2, payload: 1 });
    expect(slow.getMetrics().conflicts).toBe(0);
    expect(readdirSync(join(dir, 'trash')).length).toBeGreaterThan(0);
    expect(await open(dir, {}).read('n')).toMatchObject({ version: 22, payload: 21 });
  });

  it('a real commit whose successor exists (and was built on it) at check time is kept', async () => {
    const dir = freshDir();
    const slow = open(dir, { clientId: 'slow' });
    await slow.set('n', 0);
    once('afterLink', 'v000000000002.json', () => otherProcessIncrements(dir, 3, 8));
    expect(await slow.update('n', (c: number) => c + 1)).toMatchObject({ version: 2, payload: 1 });
    expect(await open(dir, {}).read('n')).toMatchObject({ version: 5, payload: 4 });
  });
});

describe('a reader whose record is collected and its file reused while it reads', () => {
  it('reads on to the newest record and never takes the reused bytes for damage', async () => {
    const dir = freshDir();
    await open(dir, { clientId: 'writer' }).set('n', 0);
    const reader = open(dir, { clientId: 'reader' });
    let bytesUnderUs = '';
    hooks.afterOpen = (path, fd) => {
      if (!path.endsWith('v000000000001.json')) return;
      hooks.afterOpen = undefined;
      // Between our open of v1 and our read: another window commits 20 versions, collects v1 and reuses its file.
      otherProcessIncrements(dir, 20, 2);
      const buffer = Buffer.alloc(4096);
      bytesUnderUs = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8');
    };
    const record = await reader.read('n');
    hooks.afterOpen = undefined;
    // The premise: the file we had open now holds a later record (it was reused), not v1.
    expect(JSON.parse(bytesUnderUs)).toMatchObject({ key: 'n' });
    expect(JSON.parse(bytesUnderUs).version).toBeGreaterThan(1);
    expect(record).toMatchObject({ version: 21, payload: 20 });
    expect(reader.getMetrics().corruptRecords).toBe(0);
    expect(readdirSync(join(dir, 'records', readdirSync(join(dir, 'records'))[0] ?? '')).filter((n) => n.includes('corrupt'))).toEqual([]);
  });
});

describe('retries exhausted', () => {
  it('rejects with ConflictError naming key and attempts, having written nothing', async () => {
    const dir = freshDir();
    const loser = open(dir, { maxRetries: 2, clientId: 'loser' });
    await loser.set('n', 0);
    // Before each of the loser's links of a version, another process commits that version first.
    let linksBeaten = 0;
    hooks.beforeLink = (target) => {
      if (!/v\d{12}\.json$/.test(target)) return;
      otherProcessIncrements(dir, 1, 8);
      linksBeaten++;
    };
    const error = await loser.update('n', (c: number) => c + 100).then(
      () => undefined,
      (e: unknown) => e,
    );
    hooks.beforeLink = undefined;
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ key: 'n', attempts: 3 });
    expect(linksBeaten).toBe(3);
    expect(loser.getMetrics()).toMatchObject({ conflicts: 3, retries: 2, conflictErrors: 1 });
    // Only the other process's three increments landed.
    expect(await open(dir, {}).read('n')).toMatchObject({ version: 4, payload: 3 });
  });
});
