import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtStore, recordFolders, tempFolder, Worker } from './harness';
import { canMount, type Mount, mountSshfs } from './mounts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The store's multi-process suite on a network file system through FUSE: sshfs to an sshd on 127.0.0.1. sshfs gives
 * folder times in whole seconds (SFTP has no finer ones, and ctime = mtime), its own inode numbers per path, and
 * caches listings; 'auto' polls there (statfs says FUSE). Skipped, with the reason printed, where this machine
 * cannot mount (not root, no sshfs or sshd); `.ci/run` installs them.
 */
describe.runIf(canMount('sshfs'))('on sshfs (FUSE, polling)', () => {
  const work = tempFolder();
  let storeModule = '';
  let mount: Mount | undefined;
  beforeAll(async () => {
    storeModule = builtStore(work.dir);
    mount = await mountSshfs();
  });
  afterAll(() => {
    mount?.unmount();
    work.remove();
  });

  it('4 processes × 40 concurrent increments: exactly 160, every acknowledged version distinct, no ConflictError', async () => {
    const dir = join(mount?.path ?? '', 'contention');
    const workers = Array.from({ length: 4 }, (_, i) => new Worker('increments', { storeModule, dir, key: 'counter', count: 40, clientId: `p${i}` }));
    await Promise.all(workers.map((w) => w.next('ready')));
    for (const w of workers) w.send({ type: 'go' });
    const results = await Promise.all(workers.map((w) => w.next('done')));
    await Promise.all(workers.map((w) => w.exited));
    const versions = results.flatMap((r) => r.versions as number[]);
    expect(results.reduce((sum, r) => sum + (r.conflictErrors as number), 0)).toBe(0);
    expect(new Set(versions).size).toBe(160);
    expect(Math.max(...versions)).toBe(160);
    for (const r of results) expect((r.metrics as { watchMode: string }).watchMode).toBe('poll');
    const folder = recordFolders(dir)[0] ?? '';
    const head = readdirSync(folder).filter((n) => /^v\d{12}\.json$/.test(n)).sort().at(-1) ?? '';
    expect(JSON.parse(readFileSync(join(folder, head), 'utf8'))).toMatchObject({ version: 160, payload: 160 });
    const conflicts = results.reduce((s, r) => s + (r.metrics as { conflicts: number }).conflicts, 0);
    console.log(`[sshfs contention] 4×40: final 160, conflicts ${conflicts}`);
  });

  // Issue 20 (8): a second commit within the same second changed nothing the poll looked at (whole-second folder
  // times, ctime = mtime): the reader stayed one version behind until refresh().
  it('a reader sees every commit, also a second one within the same second as the first', async () => {
    const dir = join(mount?.path ?? '', 'feed');
    const writer = new Worker('feedWriter', { storeModule, dir, watch: 'auto' });
    const reader = new Worker('feedReader', { storeModule, dir, watch: 'auto', pollIntervalMs: 100 });
    await Promise.all([writer.next('ready'), reader.next('ready')]);
    try {
      for (let round = 1; round <= 4; round++) {
        // Early in a second: the first commit is seen by a poll, the second lands 300 ms later in the same second.
        while (Date.now() % 1000 > 200) await sleep(20);
        writer.send({ type: 'commit', round: 2 * round - 1, entries: [['n', 2 * round - 1]] });
        await writer.next('committed', (m) => m.round === 2 * round - 1);
        const first = await Promise.race([reader.next('seen', (m) => m.key === 'n' && m.version === 2 * round - 1), sleep(3000).then(() => undefined)]);
        expect(first, `round ${round}: the reader never saw version ${2 * round - 1}; it saw ${JSON.stringify(reader.messages.filter((m) => m.type === 'seen').map((m) => m.version))}`).toBeDefined();
        await sleep(300);
        writer.send({ type: 'commit', round: 2 * round, entries: [['n', 2 * round]] });
        await writer.next('committed', (m) => m.round === 2 * round);
        const seen = await Promise.race([reader.next('seen', (m) => m.key === 'n' && m.version === 2 * round), sleep(3000).then(() => undefined)]);
        expect(seen, `round ${round}: the reader never saw version ${2 * round}`).toMatchObject({ getVersion: 2 * round, getPayload: 2 * round });
      }
    } finally {
      await Promise.all([writer.kill('SIGTERM'), reader.kill('SIGTERM')]);
    }
  });

  // Issue 20 (9): sshfs caches listings (20 s by default). With writers on the server's side too, an sshfs writer
  // kept reading the same stale head, lost every link at N+1 and gave up with ConflictError after 1001 attempts.
  it('writers on the server side and through sshfs at once: exact count, no ConflictError (a stale listing is not trusted)', async () => {
    const server = join(mount?.serverPath ?? '', 'mixed');
    const through = join(mount?.path ?? '', 'mixed');
    const started = Date.now();
    const workers = [server, server, through, through].map((dir, i) => new Worker('increments', { storeModule, dir, key: 'counter', count: 30, clientId: `m${i}` }));
    await Promise.all(workers.map((w) => w.next('ready')));
    for (const w of workers) w.send({ type: 'go' });
    const results = await Promise.all(workers.map((w) => w.next('done')));
    await Promise.all(workers.map((w) => w.exited));
    const versions = results.flatMap((r) => r.versions as number[]);
    const conflicts = results.map((r) => (r.metrics as { conflicts: number }).conflicts);
    console.log(`[sshfs mixed] 2 server-side + 2 sshfs writers × 30: ${Date.now() - started} ms, conflicts per writer ${conflicts.join(', ')}, ConflictErrors ${results.map((r) => r.conflictErrors as number).join(', ')}`);
    expect(results.map((r) => r.conflictErrors)).toEqual([0, 0, 0, 0]);
    expect(new Set(versions).size).toBe(120);
    expect(Math.max(...versions)).toBe(120);
  });
});
