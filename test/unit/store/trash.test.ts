import { closeSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TempNames } from '../../../src/store/files';
import { Trash } from '../../../src/store/trash';
import { openStore, recordFolders, tempFolder, versionFiles } from './helpers';

function age(path: string, seconds: number): void {
  const then = new Date(Date.now() - seconds * 1000);
  utimesSync(path, then, then);
}

describe('the trash (collected versions, reused by the next commits or freed when the window is idle)', () => {
  it('reuses what collection took as the files of the next commits, and frees the rest once the window is idle', async () => {
    const dir = tempFolder();
    const store = openStore(dir, { keepVersions: 4 });
    const inodes = new Set<number>();
    for (let i = 0; i < 60; i++) {
      const { version } = await store.update('n', (c: number) => c + 1, 0);
      inodes.add(statSync(join(recordFolders(dir)[0] ?? '', `v${String(version).padStart(12, '0')}.json`)).ino);
    }
    expect(versionFiles(recordFolders(dir)[0] ?? '').length).toBeLessThanOrEqual(8);
    // 60 commits, but only the files of about two rounds of collection: every later commit reused a collected one.
    expect(inodes.size).toBeLessThanOrEqual(16);
    const held = readdirSync(join(dir, 'trash'));
    expect(held.length).toBeGreaterThan(0);
    // Each is named after the inode it is: "<dev>-<ino>-…" (a stalled writer's check relies on it).
    for (const name of held) {
      const stat = statSync(join(dir, 'trash', name));
      expect(name.startsWith(`${stat.dev}-${stat.ino}-`)).toBe(true);
    }
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(readdirSync(join(dir, 'trash'))).toEqual([]);
    expect(await store.read('n')).toMatchObject({ version: 60, payload: 60 });
  });

  it('reuses a collected file only once the trash holds its last name (no writer’s temp name, no feed file)', () => {
    const dir = tempFolder();
    const trash = new Trash(join(dir, 'trash'), new TempNames());
    const proven = trash.nameFor({ dev: 0, ino: 0 });
    writeFileSync(proven, '{"version":3}');
    const writersTemp = join(dir, 'writers-temp');
    linkSync(proven, writersTemp); // a stalled writer still checking its record
    trash.hold(proven);
    const into = join(dir, 'reused');
    expect(trash.reuse(into)).toBeUndefined();
    expect(existsSync(proven)).toBe(true);
    unlinkSync(writersTemp); // the writer is done: the trash name is the last one
    const fd = trash.reuse(into);
    expect(fd).toBeTypeOf('number');
    closeSync(fd as number);
    expect(existsSync(proven)).toBe(false);
    expect(readFileSync(into, 'utf8')).toBe('{"version":3}');
    expect(trash.reuse(join(dir, 'again'))).toBeUndefined(); // nothing held any more
    trash.empty();
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
