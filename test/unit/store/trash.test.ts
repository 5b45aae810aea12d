import { linkSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, recordFolders, tempFolder, versionFiles } from './helpers';

function age(path: string, seconds: number): void {
  const then = new Date(Date.now() - seconds * 1000);
  utimesSync(path, then, then);
}

describe('the trash (collected versions, freed when the window is idle)', () => {
  it('holds what collection took while commits go on, and frees it once the window has been idle for a moment', async () => {
    const dir = tempFolder();
    const store = openStore(dir, { keepVersions: 4 });
    for (let i = 0; i < 30; i++) await store.update('n', (c: number) => c + 1, 0);
    expect(versionFiles(recordFolders(dir)[0] ?? '').length).toBeLessThanOrEqual(8);
    const held = readdirSync(join(dir, 'trash'));
    expect(held.length).toBeGreaterThanOrEqual(16);
    // Each is named after the inode it is: "<dev>-<ino>-…" (a stalled writer's check relies on it).
    for (const name of held) {
      const stat = statSync(join(dir, 'trash', name));
      expect(name.startsWith(`${stat.dev}-${stat.ino}-`)).toBe(true);
    }
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(readdirSync(join(dir, 'trash'))).toEqual([]);
    expect(await store.read('n')).toMatchObject({ version: 30, payload: 30 });
  });

  it('a window opening frees proven trash left for a minute, and keeps an orphan (another inode’s number) for ten', () => {
    const dir = tempFolder();
    const trash = join(dir, 'trash');
    mkdirSync(trash, { recursive: true });
    const own = join(trash, 'placeholder');
    writeFileSync(own, '{"version":3}');
    const stat = statSync(own);
    const proven = join(trash, `${stat.dev}-${stat.ino}-tmp-dead-0`);
    linkSync(own, proven);
    const orphan = join(trash, `${stat.dev}-${stat.ino + 1_000_003}-tmp-dead-1`);
    writeFileSync(orphan, '{"version":5}');
    const fresh = join(trash, `${stat.dev}-1-tmp-live-0`);
    writeFileSync(fresh, '{"version":9}');
    for (const path of [own, proven, orphan]) age(path, 120);
    openStore(dir);
    // `placeholder` is under no inode's number, so it is kept like an orphan too.
    expect(readdirSync(trash).sort()).toEqual([orphan, fresh, own].map((p) => p.slice(trash.length + 1)).sort());
  });
});
