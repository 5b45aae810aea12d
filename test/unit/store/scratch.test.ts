import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, tempFolder } from './helpers';

/** Makes a file or folder look untouched for `seconds`. */
function age(path: string, seconds: number): void {
  const then = new Date(Date.now() - seconds * 1000);
  utimesSync(path, then, then);
}

describe('scratch folders (tmp/<window>/: records being written)', () => {
  it('a window opening removes the scratch folders of windows gone for a minute, and leaves live ones alone', () => {
    const dir = tempFolder();
    const tmp = join(dir, 'tmp');
    mkdirSync(join(tmp, 'dead'), { recursive: true });
    writeFileSync(join(tmp, 'dead', '.tmp-dead-0'), '{"half":');
    age(join(tmp, 'dead', '.tmp-dead-0'), 120);
    age(join(tmp, 'dead'), 120);
    mkdirSync(join(tmp, 'busy'));
    writeFileSync(join(tmp, 'busy', '.tmp-busy-0'), '{}'); // written just now: its window is alive
    age(join(tmp, 'busy'), 120);
    mkdirSync(join(tmp, 'idle')); // a live window that has not committed for a while keeps a young folder
    openStore(dir);
    expect(readdirSync(tmp).sort()).toEqual(['busy', 'idle']);
  });

  it('commits leave nothing behind: committed temp names become feed files, and a closed window removes its folder', async () => {
    const dir = tempFolder();
    const a = openStore(dir, { clientId: 'a' });
    const b = openStore(dir, { clientId: 'b' });
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).update('n', (c: number) => c + 1, 0)));
    expect(await a.read('n')).toMatchObject({ version: 40, payload: 40 });
    expect(readdirSync(join(dir, 'tmp'))).toHaveLength(2);
    expect(readdirSync(join(dir, 'tmp')).flatMap((folder) => readdirSync(join(dir, 'tmp', folder)))).toEqual([]);
    a.dispose();
    b.dispose();
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });
});
