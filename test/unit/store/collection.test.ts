import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TempNames } from '../../../src/store/files';
import { RecordFolder } from '../../../src/store/recordFolder';
import { ScratchFolder } from '../../../src/store/scratchFolder';
import { Trash } from '../../../src/store/trash';
import { openStore, recordFolders, tempFolder, versionFiles } from './helpers';

async function settle(): Promise<void> {
  // Collected files are freed by the thread pool just after the commit that collected them.
  await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('collection of old versions', () => {
  it('keeps the files of a key bounded and the newest versions readable', async () => {
    const dir = tempFolder();
    const store = openStore(dir, { keepVersions: 4 });
    for (let i = 0; i < 60; i++) {
      await store.update('n', (c: number) => c + 1, 0);
      // Every 4th version brings the folder back to 4 versions: never more than 2 × 4, plus key.json.
      const files = readdirSync(recordFolders(dir)[0] ?? '').filter((name) => !name.startsWith('.tmp-'));
      expect(files.length).toBeLessThanOrEqual(2 * 4 + 1);
    }
    await settle();
    const versions = versionFiles(recordFolders(dir)[0] ?? '');
    expect(versions).toEqual(['v000000000057.json', 'v000000000058.json', 'v000000000059.json', 'v000000000060.json']);
    expect(readdirSync(recordFolders(dir)[0] ?? '').filter((name) => name.startsWith('.tmp-'))).toEqual([]);
    expect(await openStore(dir).read('n')).toMatchObject({ version: 60, payload: 60 });
  });

  it('removes a chain from the bottom up: never a version while the record it was built on still has its name', async () => {
    const dir = tempFolder();
    const store = openStore(dir, { keepVersions: 1000 });
    for (let i = 0; i < 20; i++) await store.update('n', (c: number) => c + 1, 0);
    const path = recordFolders(dir)[0] ?? '';
    const folder = new RecordFolder('n', path, new TempNames(), new ScratchFolder(join(dir, 'tmp')), new Trash(join(dir, 'trash'), new TempNames()));
    const warnings: string[] = [];
    // A collector whose listing starts at v5 (as if another collector were still working below it): v4 is in
    // place and v5 was built on it, so nothing may go.
    folder.collect([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 4, (m) => warnings.push(m));
    await settle();
    expect(versionFiles(path)).toHaveLength(20);
    // The full listing: v1 … v16 go, in order, each proven by its successor.
    folder.collect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 4, (m) => warnings.push(m));
    await settle();
    expect(versionFiles(path)).toEqual(['v000000000017.json', 'v000000000018.json', 'v000000000019.json', 'v000000000020.json']);
    expect(warnings).toEqual([]);
    expect(await store.read('n')).toMatchObject({ version: 20, payload: 20 });
  });

  it('leaves a version whose successor does not vouch for it (an orphan, or damage) until it is old', async () => {
    const dir = tempFolder();
    const store = openStore(dir, { keepVersions: 1000 });
    for (let i = 0; i < 10; i++) await store.update('n', (c: number) => c + 1, 0);
    const path = recordFolders(dir)[0] ?? '';
    // Damage v4 by hand: v3 is then unproven (its successor's prev is unreadable) and collection stops there.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(path, 'v000000000004.json'), 'garbage');
    const folder = new RecordFolder('n', path, new TempNames(), new ScratchFolder(join(dir, 'tmp')), new Trash(join(dir, 'trash'), new TempNames()));
    folder.collect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 2, () => undefined);
    await settle();
    // v1 and v2 were proven and go; v3 cannot be judged, so it and everything above stay.
    expect(versionFiles(path)[0]).toBe('v000000000003.json');
    expect(versionFiles(path)).toHaveLength(8);
  });
});
