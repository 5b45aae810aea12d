import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TempNames } from '../../../src/store/files';
import { fingerprint } from '../../../src/store/record';
import { RecordFolder } from '../../../src/store/recordFolder';
import { ScratchFolder } from '../../../src/store/scratchFolder';
import { Trash } from '../../../src/store/trash';
import { openStore, recordFolders, tempFolder, versionFiles } from './helpers';

describe('collection of old versions', () => {
  it('keeps the files of a key bounded and the newest versions readable', async () => {
    const dir = tempFolder();
    const store = openStore(dir, { keepVersions: 4 });
    for (let i = 0; i < 60; i++) {
      await store.update('n', (c: number) => c + 1, 0);
      // Every 8th version (2 × 4) brings the folder back to 4 versions: never more than 3 × 4, plus key.json.
      const files = readdirSync(recordFolders(dir)[0] ?? '').filter((name) => !name.startsWith('.tmp-'));
      expect(files.length).toBeLessThanOrEqual(3 * 4 + 1);
    }
    const versions = versionFiles(recordFolders(dir)[0] ?? '');
    // The last collection, at v56, kept v53–v56; v57–v60 came after it.
    expect(versions).toEqual(Array.from({ length: 8 }, (_, i) => `v0000000000${53 + i}.json`));
    expect(readdirSync(recordFolders(dir)[0] ?? '').filter((name) => name.startsWith('.tmp-'))).toEqual([]);
    expect(await openStore(dir).read('n')).toMatchObject({ version: 60, payload: 60 });
  });

  it('removes a chain from the bottom up: never a version while the record it was built on still has its name', async () => {
    const dir = tempFolder();
    const store = openStore(dir, { keepVersions: 1000 });
    for (let i = 0; i < 20; i++) await store.update('n', (c: number) => c + 1, 0);
    const path = recordFolders(dir)[0] ?? '';
    const folder = new RecordFolder('n', path, new TempNames(), new ScratchFolder(join(dir, 'tmp')), new Trash(join(dir, 'trash'), new TempNames()));
    const anchor = { version: 20, bytes: readFileSync(join(path, 'v000000000020.json')) };
    const warnings: string[] = [];
    // A collector whose listing starts at v5 (as if another collector were still working below it): v4 is in
    // place and v5 was built on it, so nothing may go.
    folder.collect(anchor, range(5, 20), 4, (m) => warnings.push(m));
    expect(versionFiles(path)).toHaveLength(20);
    // The full listing: v1 … v16 go, each proven real from the anchor down.
    folder.collect(anchor, range(1, 20), 4, (m) => warnings.push(m));
    expect(versionFiles(path)).toEqual(['v000000000017.json', 'v000000000018.json', 'v000000000019.json', 'v000000000020.json']);
    expect(readdirSync(join(dir, 'trash'))).toHaveLength(16);
    expect(warnings).toEqual([]);
    expect(await store.read('n')).toMatchObject({ version: 20, payload: 20 });
  });

  it('proves records only down a chain of prev from a real one: a record below a break is left until it is old', async () => {
    const dir = tempFolder();
    const store = openStore(dir, { keepVersions: 1000 });
    for (let i = 0; i < 10; i++) await store.update('n', (c: number) => c + 1, 0);
    const path = recordFolders(dir)[0] ?? '';
    // Damage v4 by hand: the chain from v10 down proves v9 … v5 and stops there.
    writeFileSync(join(path, 'v000000000004.json'), 'garbage');
    const folder = new RecordFolder('n', path, new TempNames(), new ScratchFolder(join(dir, 'tmp')), new Trash(join(dir, 'trash'), new TempNames()));
    folder.collect({ version: 10, bytes: readFileSync(join(path, 'v000000000010.json')) }, range(1, 10), 2, () => undefined);
    expect(versionFiles(path)).toEqual(['v000000000001.json', 'v000000000002.json', 'v000000000003.json', 'v000000000004.json', 'v000000000009.json', 'v000000000010.json']);
  });

  it('never proves a record from a successor that is not itself proven (a resurrection built on a resurrection)', async () => {
    const dir = tempFolder();
    const store = openStore(dir, { keepVersions: 1000 });
    for (let i = 0; i < 10; i++) await store.update('n', (c: number) => c + 1, 0);
    const path = recordFolders(dir)[0] ?? '';
    // Plant what two stale writers could leave: a fake v3 (not the one v4 was built on) … and a fake v4 built on
    // it. The successor of the fake v3 vouches for it, but nothing real vouches for that successor.
    const fake3 = JSON.stringify({ version: 3, lastModified: new Date().toISOString(), clientId: 'stale', key: 'n', id: 'fake-3', prev: 'x', payload: 3 });
    const fake4 = JSON.stringify({ version: 4, lastModified: new Date().toISOString(), clientId: 'stale', key: 'n', id: 'fake-4', prev: fingerprint(Buffer.from(`${fake3}\n`)), payload: 4 });
    writeFileSync(join(path, 'v000000000003.json'), `${fake3}\n`);
    writeFileSync(join(path, 'v000000000004.json'), `${fake4}\n`);
    const folder = new RecordFolder('n', path, new TempNames(), new ScratchFolder(join(dir, 'tmp')), new Trash(join(dir, 'trash'), new TempNames()));
    folder.collect({ version: 10, bytes: readFileSync(join(path, 'v000000000010.json')) }, range(1, 10), 2, () => undefined);
    // v5 … v8 are proven from v10 down; the chain stops at the fake v4, so v1 … v4 stay (fakes are not collected
    // as if proven, and no real record is removed while the one below it might still be in place).
    expect(versionFiles(path)).toEqual(['v000000000001.json', 'v000000000002.json', 'v000000000003.json', 'v000000000004.json', 'v000000000009.json', 'v000000000010.json']);
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
