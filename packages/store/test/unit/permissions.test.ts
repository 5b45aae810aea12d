import { lstatSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listTree, openStore, recordFolders, tempFolder } from './helpers';

const originalUmask = process.umask();
afterEach(() => {
  process.umask(originalUmask);
});

describe('privacy', () => {
  it.each([0o000, 0o022, 0o077, 0o277])('files are 0600 and folders 0700 under umask %o', async (umask) => {
    process.umask(umask);
    const dir = join(tempFolder(), 'storage');
    const store = openStore(dir, { migrate: ['old'] });
    await store.set('k', 1);
    await store.update('k', (c: number) => c + 1);
    await store.delete('k');
    process.umask(originalUmask);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const entries = listTree(dir);
    expect(entries.filter((p) => p.endsWith('.json')).length).toBeGreaterThanOrEqual(4);
    for (const entry of entries) {
      const mode = statSync(join(dir, entry)).mode;
      expect([entry, mode & 0o777]).toEqual([entry, statSync(join(dir, entry)).isDirectory() ? 0o700 : 0o600]);
    }
  });

  it('a symlink planted at a record name is not written through', async () => {
    const dir = tempFolder();
    const victim = join(tempFolder(), 'victim.txt');
    writeFileSync(victim, 'untouched');
    const store = openStore(dir);
    await store.set('k', 1);
    const folder = recordFolders(dir)[0] ?? '';
    symlinkSync(victim, join(folder, 'v000000000002.json'));
    await store.update('k', (c: number) => c + 1, 0);
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    expect(lstatSync(join(folder, 'v000000000002.json')).isSymbolicLink()).toBe(true);
  });
});
