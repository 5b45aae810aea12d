import { readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtStore, tempFolder, Worker, recordFolders } from './harness';

type Rec = { version: number; payload: unknown };

describe.each([
  ['truncated', (path: string) => truncateSync(path, 15)],
  ['garbage', (path: string) => writeFileSync(path, Buffer.from('\u0000\u0001garbage}{'))],
])('a %s head record between processes', (_name, damage) => {
  const work = tempFolder();
  let storeModule = '';
  beforeAll(() => {
    storeModule = builtStore(work.dir);
  });
  afterAll(() => work.remove());

  it('another process updates above the last good version, the bytes are kept, and caches never go back', async () => {
    const dir = join(work.dir, 'storage');
    const a = new Worker('holder', { storeModule, dir, watch: 'events' });
    await a.next('ready');
    for (let i = 1; i <= 3; i++) {
      a.send({ type: 'update', key: 'k', add: 1 });
      await a.nth('updated', i);
    }
    const folder = recordFolders(dir)[0] ?? '';
    const head = join(folder, 'v000000000003.json');
    const before = readFileSync(head);
    damage(head);
    const damaged = readFileSync(head);
    expect(damaged).not.toEqual(before);

    const b = new Worker('holder', { storeModule, dir, watch: 'events' });
    await b.next('ready');
    b.send({ type: 'read', key: 'k' });
    const read = await b.next('read');
    expect(read.error).toMatchObject({ name: 'StoreError', key: 'k' });
    b.send({ type: 'update', key: 'k', add: 10 });
    const updated = (await b.next('updated')).record as Rec;
    // v3 is unreadable, so the value builds on v2 (2) but the version goes above v3.
    expect(updated).toMatchObject({ version: 4, payload: 12 });

    // A cached v3 before the damage; it must move forward to v4, never back.
    a.send({ type: 'update', key: 'k', add: 100 });
    const fromA = (await a.nth('updated', 4)).record as Rec;
    expect(fromA).toMatchObject({ version: 5, payload: 112 });
    b.send({ type: 'read', key: 'k' });
    expect((await b.nth('read', 2)).record).toMatchObject({ version: 5, payload: 112 });

    const corrupt = readdirSync(folder).filter((n) => n.includes('corrupt'));
    expect(corrupt).toHaveLength(1);
    expect(readFileSync(join(folder, corrupt[0] ?? ''))).toEqual(damaged);
    await Promise.all([a.kill('SIGTERM'), b.kill('SIGTERM')]);
  });
});
