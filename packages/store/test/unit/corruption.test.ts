import { readdirSync, readFileSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src';
import { openStore, recordFolders, tempFolder, versionFiles } from './helpers';

async function storeWithHistory(): Promise<{ dir: string; folder: string }> {
  const dir = tempFolder();
  const writer = openStore(dir);
  await writer.set('other', 'fine');
  for (let i = 1; i <= 3; i++) await writer.set('k', { n: i });
  writer.dispose();
  const folder = recordFolders(dir).find((f) => f.includes('/k-')) ?? '';
  return { dir, folder };
}

const damages: Array<[string, (path: string) => void]> = [
  ['truncated', (path) => truncateSync(path, 20)],
  ['emptied', (path) => truncateSync(path, 0)],
  ['garbage', (path) => writeFileSync(path, Buffer.from([0xff, 0x00, 0x13, 0x37]))],
  ['valid JSON of the wrong shape', (path) => writeFileSync(path, '{"version":3,"key":"someone else","payload":1}')],
  ['replaced by a symlink', (path) => {
    unlinkSync(path);
    symlinkSync('/etc/hostname', path);
  }],
];

describe('an unreadable head record', () => {
  it.each(damages)('%s: get gives the default, read rejects naming the key, bytes are kept, the next update goes above it', async (_name, damage) => {
    const { dir, folder } = await storeWithHistory();
    const head = join(folder, 'v000000000003.json');
    damage(head);
    const logs: string[] = [];
    const store = openStore(dir, { log: (_level, message) => logs.push(message) });

    expect(store.get('k', 'default')).toMatchObject({ version: 0, payload: 'default' });
    const error = await store.read('k').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).key).toBe('k');
    expect((error as StoreError).message).toContain('"k"');
    expect(store.get('other').payload).toBe('fine');

    const corrupt = readdirSync(folder).filter((n) => n.includes('corrupt'));
    expect(corrupt).toHaveLength(1);

    const next = await store.update<{ n: number }>('k', (c) => ({ n: c.n + 10 }), { n: 0 });
    // Built on the newest readable record (v2), committed above the unreadable v3.
    expect(next).toMatchObject({ version: 4, payload: { n: 12 } });
    expect(await store.read('k')).toMatchObject({ version: 4, payload: { n: 12 } });
    expect(store.getMetrics().corruptRecords).toBe(1);
    expect(readdirSync(folder).filter((n) => n.includes('corrupt'))).toEqual(corrupt);
    expect(logs.some((m) => m.includes('unreadable'))).toBe(true);
  });

  it('keeps the exact corrupt bytes', async () => {
    const { dir, folder } = await storeWithHistory();
    const garbage = Buffer.from('{"version":3,"payl');
    writeFileSync(join(folder, 'v000000000003.json'), garbage);
    const store = openStore(dir);
    await expect(store.read('k')).rejects.toBeInstanceOf(StoreError);
    const [copy] = readdirSync(folder).filter((n) => n.includes('corrupt'));
    expect(readFileSync(join(folder, copy ?? ''))).toEqual(garbage);
  });

  it('with no readable older record, the update builds on the default', async () => {
    const dir = tempFolder();
    const writer = openStore(dir);
    await writer.set('k', 5);
    const folder = recordFolders(dir)[0] ?? '';
    writeFileSync(join(folder, 'v000000000001.json'), 'not json');
    const store = openStore(dir);
    expect(await store.update('k', (c: number) => c + 1, 100)).toMatchObject({ version: 2, payload: 101 });
    expect(versionFiles(folder)).toEqual(['v000000000001.json', 'v000000000002.json']);
  });

  it('a planted symlink is never followed for reading: its target stays unread and unchanged', async () => {
    const dir = tempFolder();
    const secret = join(tempFolder(), 'secret.json');
    writeFileSync(secret, JSON.stringify({ version: 2, lastModified: 'x', clientId: 'x', key: 'k', id: 'x', prev: null, payload: 'stolen' }));
    const writer = openStore(dir);
    await writer.set('k', 'mine');
    const folder = recordFolders(dir)[0] ?? '';
    symlinkSync(secret, join(folder, 'v000000000002.json'));
    const store = openStore(dir);
    expect(store.get('k').payload).not.toBe('stolen');
    const r = await store.update('k', (c: string | undefined) => `${c ?? 'none'}+1`);
    expect(r).toMatchObject({ version: 3, payload: 'mine+1' });
    expect(JSON.parse(readFileSync(secret, 'utf8'))).toMatchObject({ payload: 'stolen' });
  });
});

describe('a storage folder cleared behind the store', () => {
  it.each(['records', '.'])('(%s removed) is made again from this window\'s record, and versions never go back', async (what) => {
    const { rmSync } = await import('node:fs');
    const dir = tempFolder();
    const store = openStore(dir);
    await store.set('k', 1);
    await store.set('k', 5);
    rmSync(join(dir, what), { recursive: true, force: true });
    expect(await store.update('k', (c: number | undefined) => (c ?? 0) + 1)).toMatchObject({ version: 3, payload: 6 });
    expect(await openStore(dir).read('k')).toMatchObject({ version: 3, payload: 6 });
  });
});
