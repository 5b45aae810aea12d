import { readdirSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { ConflictError } from '../../../src/store';
import { openStore, recordFolders, tempFolder, versionFiles } from './helpers';

/**
 * The commit protocol with real interleavings: a hook runs another instance's commits exactly between this
 * instance's read of the head and its link (a stalled, stale writer), or between its link and its check.
 */
const hooks: { beforeLink?: (target: string) => Promise<void>; afterLink?: (target: string) => Promise<void> } = {};

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const link = async (existing: string, target: string): Promise<void> => {
    const before = hooks.beforeLink;
    if (before) await before(String(target));
    await real.link(existing, target);
    const after = hooks.afterLink;
    if (after) await after(String(target));
  };
  return { ...real, default: { ...real, link }, link };
});

/** Arms a hook for the first link of `fileName`, then disarms it (so the other instance's links run plainly). */
function once(which: 'beforeLink' | 'afterLink', fileName: string, action: () => Promise<void>): void {
  hooks[which] = async (target) => {
    if (!target.endsWith(fileName)) return;
    hooks[which] = undefined;
    await action();
  };
}

async function increments(store: ReturnType<typeof openStore>, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await store.update('n', (c: number) => c + 1, 0);
}

describe('resurrection of a collected version number', () => {
  it('a writer stalled on base v1 while v2 was committed and collected does not re-take v2', async () => {
    const dir = tempFolder();
    const stale = openStore(dir, { keepVersions: 2, collectAfterMs: 0, clientId: 'stale' });
    const other = openStore(dir, { keepVersions: 2, collectAfterMs: 0, clientId: 'other' });
    await stale.set('n', 0);
    once('beforeLink', 'v000000000002.json', () => increments(other, 20));
    const ack = await stale.update('n', (c: number) => c + 1);
    expect(ack).toMatchObject({ version: 22, payload: 21 });
    expect(stale.getMetrics().conflicts).toBe(1);
    expect(await other.read('n')).toMatchObject({ version: 22, payload: 21 });
    const folder = recordFolders(dir)[0] ?? '';
    expect(versionFiles(folder)).not.toContain('v000000000002.json');
  });

  it('a writer that saw no record while v1 was committed and collected does not re-take v1', async () => {
    const dir = tempFolder();
    const stale = openStore(dir, { keepVersions: 2, collectAfterMs: 0, clientId: 'stale' });
    const other = openStore(dir, { keepVersions: 2, collectAfterMs: 0, clientId: 'other' });
    once('beforeLink', 'v000000000001.json', () => increments(other, 20));
    const ack = await stale.update('n', (c: number) => c + 1, 0);
    expect(ack).toMatchObject({ version: 21, payload: 21 });
    expect(stale.getMetrics().conflicts).toBe(1);
    expect(versionFiles(recordFolders(dir)[0] ?? '')).not.toContain('v000000000001.json');
  });

  it('a real commit whose successors were committed and collected before its check is kept (not applied twice)', async () => {
    const dir = tempFolder();
    const slow = openStore(dir, { keepVersions: 2, collectAfterMs: 0, clientId: 'slow' });
    const other = openStore(dir, { keepVersions: 2, collectAfterMs: 0, clientId: 'other' });
    await slow.set('n', 0);
    once('afterLink', 'v000000000002.json', () => increments(other, 20));
    const ack = await slow.update('n', (c: number) => c + 1);
    expect(ack).toMatchObject({ version: 2, payload: 1 });
    expect(slow.getMetrics().conflicts).toBe(0);
    expect(await other.read('n')).toMatchObject({ version: 22, payload: 21 });
  });

  it('a real commit whose successor exists (and built on it) at check time is kept', async () => {
    const dir = tempFolder();
    const slow = openStore(dir, { clientId: 'slow' });
    const other = openStore(dir, { clientId: 'other' });
    await slow.set('n', 0);
    once('afterLink', 'v000000000002.json', () => increments(other, 3));
    expect(await slow.update('n', (c: number) => c + 1)).toMatchObject({ version: 2, payload: 1 });
    expect(await other.read('n')).toMatchObject({ version: 5, payload: 4 });
  });
});

describe('retries exhausted', () => {
  it('rejects with ConflictError naming key and attempts, having written nothing', async () => {
    const dir = tempFolder();
    const loser = openStore(dir, { maxRetries: 2, clientId: 'loser' });
    const other = openStore(dir, { clientId: 'other' });
    await loser.set('n', 0);
    // Before each of the loser's links, someone else commits the same version first.
    let linksBeaten = 0;
    hooks.beforeLink = async (target) => {
      if (!target.includes('v0000000000')) return;
      hooks.beforeLink = undefined;
      await other.update('n', (c: number) => c + 1);
      linksBeaten++;
      hooks.beforeLink = beat;
    };
    const beat = hooks.beforeLink;
    const error = await loser.update('n', (c: number) => c + 100).then(
      () => undefined,
      (e: unknown) => e,
    );
    hooks.beforeLink = undefined;
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ key: 'n', attempts: 3 });
    expect(linksBeaten).toBe(3);
    expect(loser.getMetrics()).toMatchObject({ conflicts: 3, retries: 2, conflictErrors: 1 });
    // Only the other instance's three increments landed.
    expect(await other.read('n')).toMatchObject({ version: 4, payload: 3 });
  });
});

describe('collection', () => {
  it('keeps the files of a key bounded and the newest versions readable', async () => {
    const dir = tempFolder();
    const store = openStore(dir, { keepVersions: 4, collectAfterMs: 0 });
    for (let i = 0; i < 60; i++) {
      await store.update('n', (c: number) => c + 1, 0);
      const files = readdirSync(recordFolders(dir)[0] ?? '');
      // 2 × keep + 1 versions trigger collection, which runs just after the update resolves (so one more may
      // land first), plus key.json.
      expect(files.length).toBeLessThanOrEqual(2 * 4 + 2 + 1);
    }
    await new Promise((r) => setTimeout(r, 50));
    const versions = versionFiles(recordFolders(dir)[0] ?? '');
    expect(versions.length).toBeLessThanOrEqual(2 * 4 + 1);
    expect(versions.at(-1)).toBe('v000000000060.json');
    expect(versions.length).toBeGreaterThanOrEqual(4);
    expect(await openStore(dir).read('n')).toMatchObject({ version: 60, payload: 60 });
  }, 30_000);
});

describe('collection waits for a version to age (the quick path’s premise)', () => {
  it('never collects a link younger than collectAfterMs, and collects it once old', async () => {
    const dir = tempFolder();
    const store = openStore(dir, { keepVersions: 2, collectAfterMs: 1_000 });
    for (let i = 0; i < 12; i++) await store.update('n', (c: number) => c + 1, 0);
    await new Promise((r) => setTimeout(r, 50));
    // All twelve are younger than a second: none was collected, however far behind the head.
    expect(versionFiles(recordFolders(dir)[0] ?? '')).toHaveLength(12);
    await new Promise((r) => setTimeout(r, 1_100));
    await store.update('n', (c: number) => c + 1, 0);
    await new Promise((r) => setTimeout(r, 50));
    const left = versionFiles(recordFolders(dir)[0] ?? '');
    expect(left.length).toBeLessThanOrEqual(4);
    expect(left.at(-1)).toBe('v000000000013.json');
    expect(await openStore(dir).read('n')).toMatchObject({ version: 13, payload: 13 });
  }, 30_000);

  it('a writer stalled while twenty versions land is refused (EEXIST) and retried on the fresh value', async () => {
    const dir = tempFolder();
    const stale = openStore(dir, { keepVersions: 2, clientId: 'stale' });
    const other = openStore(dir, { keepVersions: 2, clientId: 'other' });
    await stale.update('n', (c: number) => c + 1, 0);
    once('beforeLink', 'v000000000002.json', () => increments(other, 20));
    const mine = await stale.update('n', (c: number) => c + 1, 0);
    expect(mine).toMatchObject({ version: 22, payload: 22 });
    expect(stale.getMetrics().conflicts).toBe(1);
  }, 30_000);
});
