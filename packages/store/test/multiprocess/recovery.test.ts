import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtStore, recordFolders, tempFolder, Worker } from './harness';

type Rec = { version: number; payload: unknown };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Asks `w` for its cached record of `key` until `ok` holds (or fails after `ms`). */
async function until(w: Worker, key: string, ok: (r: Rec) => boolean, ms = 10_000): Promise<Rec> {
  const deadline = Date.now() + ms;
  for (let n = w.messages.filter((m) => m.type === 'got').length + 1; ; n++) {
    w.send({ type: 'get', key });
    const r = (await w.nth('got', n)).record as Rec;
    if (ok(r)) return r;
    if (Date.now() > deadline) throw new Error(`timed out; last ${JSON.stringify(r)}`);
    await sleep(25);
  }
}

async function update(w: Worker, key: string, add: number): Promise<Rec> {
  const n = w.messages.filter((m) => m.type === 'updated').length + 1;
  w.send({ type: 'update', key, add });
  return (await w.nth('updated', n)).record as Rec;
}

/**
 * rm -rf of a folder that writers keep filling (they make it again at once): it may never come out empty, so what is
 * left after a first pass is renamed away and removed there — the path is gone either way, and the folders are
 * really deleted (as rm -rf does), so their watchers hear it.
 */
function removeUnderWriters(dir: string, trash: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    renameSync(dir, trash);
    // Still filling for a moment (a writer's step in flight when the path moved): what is left goes with the
    // test's folder at the end.
    try {
      rmSync(trash, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
    } catch {
      // removed in afterAll
    }
  }
}

describe('recovery across processes', () => {
  const work = tempFolder();
  let storeModule = '';
  beforeAll(() => {
    storeModule = builtStore(work.dir);
  });
  afterAll(() => work.remove());

  const windows = async (dir: string, n: number): Promise<Worker[]> => {
    const ws = Array.from({ length: n }, () => new Worker('holder', { storeModule, dir, watch: 'auto' }));
    await Promise.all(ws.map((w) => w.next('ready')));
    return ws;
  };

  it.each(['the storage folder', 'the records folder', "one key's folder"])(
    '%s removed under running windows: recreated from a window\'s record, and every window ends above all it had seen',
    async (what) => {
      const dir = join(work.dir, `wiped-${what.replace(/\W+/g, '-')}`);
      const [a, b, reader] = await windows(dir, 3);
      if (!a || !b || !reader) throw new Error('no windows');
      for (let i = 0; i < 10; i++) await update(a, 'n', 1);
      for (let i = 0; i < 5; i++) await update(b, 'n', 1);
      // Every window has seen version 15 before the removal (a learns of b's commits through its change feed, a
      // little later): then whichever window writes first restores version 15, and nothing acknowledged is lost.
      for (const w of [a, b, reader]) expect(await until(w, 'n', (r) => r.version === 15)).toMatchObject({ payload: 15 });
      const target = what === 'the storage folder' ? dir : what === 'the records folder' ? join(dir, 'records') : join(recordFolders(dir)[0] ?? '', '..');
      rmSync(target, { recursive: true, force: true });
      // The next update anywhere builds on that window's record: nothing acknowledged is lost.
      expect(await update(a, 'n', 1)).toMatchObject({ version: 16, payload: 16 });
      for (const w of [b, reader]) expect(await until(w, 'n', (r) => r.version >= 16)).toMatchObject({ version: 16, payload: 16 });
      expect(await update(b, 'n', 1)).toMatchObject({ version: 17, payload: 17 });
      expect(await until(reader, 'n', (r) => r.version === 17)).toMatchObject({ payload: 17 });
      for (const w of [a, b, reader]) await w.kill('SIGTERM');
    },
  );

  it.each(['the storage folder', 'the records folder'])(
    '%s removed and recreated while a window is frozen: the thawed window follows the new folder',
    async (what) => {
      const dir = join(work.dir, `frozen-${what.replace(/\W+/g, '-')}`);
      const [a, frozen] = await windows(dir, 2);
      if (!a || !frozen) throw new Error('no windows');
      for (let i = 0; i < 3; i++) await update(a, 'n', 1);
      await until(frozen, 'n', (r) => r.version === 3);
      // Frozen, it reads the removal's events only once a new, still empty records folder stands at the same path
      // (as when it thaws while another window is recreating it): the folder it watched is gone.
      frozen.child.kill('SIGSTOP');
      rmSync(what === 'the storage folder' ? dir : join(dir, 'records'), { recursive: true, force: true });
      mkdirSync(join(dir, 'records'), { recursive: true });
      frozen.child.kill('SIGCONT');
      await until(frozen, 'n', () => true);
      await sleep(200); // its queued file events are read
      expect(await update(a, 'n', 1)).toMatchObject({ version: 4, payload: 4 });
      expect(await until(frozen, 'n', (r) => r.version === 4)).toMatchObject({ payload: 4 });
      expect(await update(a, 'n', 1)).toMatchObject({ version: 5, payload: 5 });
      expect(await until(frozen, 'n', (r) => r.version === 5)).toMatchObject({ payload: 5 });
      for (const w of [a, frozen]) await w.kill('SIGTERM');
    },
  );

  // Issue 20 (3). A removed folder is announced to its own watchers (IN_DELETE_SELF) only once no process holds it
  // open any more — and every window that committed holds its generation folder open for the folder fsync, which
  // keeps the key folder and records/ pinned too. A frozen window holds it for as long as it is frozen. So a window
  // that had just watched records/ again (after the key's folder went) was never told records/ went as well, and
  // missed the new folders for good: it must hear a removal from the parent's listing, which no pin delays.
  it('the key folder, then the storage folder removed while a frozen window holds the old generation open: a watching window sees the next commit', async () => {
    const dir = join(work.dir, 'pinned');
    const [a, frozen, b] = await windows(dir, 3);
    if (!a || !frozen || !b) throw new Error('no windows');
    for (let i = 0; i < 3; i++) await update(a, 'n', 1);
    expect(await update(frozen, 'n', 1)).toMatchObject({ version: 4 });
    await until(a, 'n', (r) => r.version === 4);
    await until(b, 'n', (r) => r.version === 4);
    frozen.child.kill('SIGSTOP');
    try {
      rmSync(join(recordFolders(dir)[0] ?? '', '..'), { recursive: true, force: true });
      await sleep(200); // a reads the events: records/ is still there, so it watches it again
      rmSync(dir, { recursive: true, force: true });
      expect(await update(b, 'n', 1)).toMatchObject({ version: 5, payload: 5 });
      expect(await until(a, 'n', (r) => r.version === 5, 3000)).toMatchObject({ payload: 5 });
    } finally {
      frozen.child.kill('SIGCONT');
      for (const w of [a, frozen, b]) await w.kill('SIGTERM');
    }
  });

  // Issue 20 (3) as the review ran it: it failed once in five there, not in 17 runs here (the test above is the
  // deterministic one); kept as a guard. BM_WIPE_RUNS runs it more often.
  it.each(Array.from({ length: Number(process.env.BM_WIPE_RUNS ?? 2) }, (_, i) => i + 1))('the storage folder removed three times while three windows increment, one frozen: all end on the same record (run %i)', async (run) => {
    const dir = join(work.dir, `wiped-thrice-${run}`);
    const ws = Array.from({ length: 3 }, () => new Worker('looper', { storeModule, dir, key: 'n', watch: 'auto' }));
    await Promise.all(ws.map((w) => w.next('ready')));
    const [a, b, frozen] = ws as [Worker, Worker, Worker];
    let shown: Rec[] = [];
    let disk = { version: 0, payload: undefined as unknown };
    try {
      await sleep(300);
      frozen.child.kill('SIGSTOP');
      for (let i = 0; i < 3; i++) {
        await sleep(150);
        removeUnderWriters(dir, `${dir}.removed-${i}`);
      }
      await sleep(150);
      frozen.child.kill('SIGCONT');
      await sleep(400);
      for (const w of ws) w.send({ type: 'stop' });
      // A window that crashed fails the test at once, with its error (instead of waiting for it).
      await Promise.race([Promise.all(ws.map((w) => w.next('stopped'))), ...ws.map(async (w) => { throw new Error(`a window exited: ${String(await w.exited)}`); })]);
      // Bumps after the wipes settle; then every window shows the head on disk.
      const onDisk = (): { version: number; payload: unknown } => {
        const folder = recordFolders(dir)[0] ?? '';
        const head = readdirSync(folder).filter((n) => /^v\d{12}\.json$/.test(n)).sort().at(-1) ?? '';
        return JSON.parse(readFileSync(join(folder, head), 'utf8')) as { version: number; payload: unknown };
      };
      for (let i = 0; i < 40; i++) {
        await sleep(100);
        shown = await Promise.all(ws.map(async (w) => {
          const n = w.messages.filter((m) => m.type === 'got').length + 1;
          w.send({ type: 'get', key: 'n' });
          return (await w.nth('got', n)).record as Rec;
        }));
        const now = onDisk();
        if (shown.every((r) => r.version === now.version && r.payload === now.payload)) break;
      }
      disk = onDisk();
      if (!shown.every((r) => r.version === disk.version)) for (const w of ws) console.log(JSON.stringify(w.messages.filter((m) => m.type === 'got').at(-1)));
    } finally {
      // Whatever happened, no window is left stopped or running (the next test, and the next session, get a quiet machine).
      frozen.child.kill('SIGCONT');
      for (const w of [a, b, frozen]) await w.kill('SIGKILL');
    }
    expect(shown.map((r) => [r.version, r.payload])).toEqual(ws.map(() => [disk.version, disk.payload]));
  });

  it('a window holding a newer version than an emptied folder brings every window above it', async () => {
    const dir = join(work.dir, 'older-restore');
    const [a, fresh] = await windows(dir, 2);
    if (!a || !fresh) throw new Error('no windows');
    for (let i = 0; i < 6; i++) await update(a, 'n', 1);
    rmSync(dir, { recursive: true, force: true });
    // A window that never saw the key commits first after the wipe: version 1 on disk, below a's 6.
    const [late] = await windows(dir, 1);
    if (!late) throw new Error('no window');
    expect(await update(late, 'n', 100)).toMatchObject({ version: 1, payload: 100 });
    // a notices the folder went back and commits its own, newer record above what it had seen: the newest content
    // any window held wins, not the first writer's (which knew nothing), and everyone agrees on it.
    const agreed = await until(a, 'n', (r) => r.version > 6);
    expect(agreed).toMatchObject({ version: 7, payload: 6 });
    expect(await until(late, 'n', (r) => r.version === 7)).toMatchObject({ payload: 6 });
    for (const w of [a, fresh, late]) await w.kill('SIGTERM');
  });

  it('a window frozen with an old record writes first into an emptied folder: the newer record of the others wins', async () => {
    const dir = join(work.dir, 'stale-restore');
    const [a, b, stale] = await windows(dir, 3);
    if (!a || !b || !stale) throw new Error('no windows');
    for (let i = 0; i < 3; i++) await update(a, 'n', 1);
    await until(stale, 'n', (r) => r.version === 3);
    // Frozen (a debugger, a sleeping laptop) while the others go on to 20 and the folder is emptied.
    stale.child.kill('SIGSTOP');
    for (let i = 0; i < 17; i++) await update(i % 2 ? a : b, 'n', 1);
    for (const w of [a, b]) await until(w, 'n', (r) => r.version === 20);
    rmSync(dir, { recursive: true, force: true });
    stale.child.kill('SIGCONT');
    await until(stale, 'n', () => true);
    await sleep(200); // its queued file events are read
    // It writes first, on the only record it has (3): version 4 of a new generation.
    expect(await update(stale, 'n', 100)).toMatchObject({ version: 4, payload: 103 });
    // The windows that held 20 carry it above, and an update of theirs builds on it: content never goes back.
    expect(await update(b, 'n', 1)).toMatchObject({ payload: 21 });
    for (const w of [a, b, stale]) {
      const r = await until(w, 'n', (x) => x.payload === 21 || (x.version > 21 && x.payload !== 103));
      expect(r.payload).toBe(21);
    }
    for (const w of [a, b, stale]) await w.kill('SIGTERM');
  });

  it('a window one version behind writes first into an emptied folder: the window ahead commits above it, so all agree', async () => {
    const dir = join(work.dir, 'behind-restore');
    const [a, b] = await windows(dir, 2);
    if (!a || !b) throw new Error('no windows');
    for (let i = 0; i < 5; i++) await update(a, 'n', 1);
    await until(b, 'n', (r) => r.version === 5);
    // b is frozen through a's last commit and the wipe, so it thaws knowing version 5 while a knows 6.
    b.child.kill('SIGSTOP');
    expect(await update(a, 'n', 1)).toMatchObject({ version: 6, payload: 6 });
    rmSync(dir, { recursive: true, force: true });
    b.child.kill('SIGCONT');
    await until(b, 'n', () => true);
    await sleep(200); // its queued file events are read
    // b restores its record: version 6 again (above all b had seen), with other content than a's version 6.
    expect(await update(b, 'n', 100)).toMatchObject({ version: 6, payload: 105 });
    // a sees a version 6 that is not its own: it commits above it, and every window shows the same record.
    expect(await until(a, 'n', (r) => r.version > 6)).toMatchObject({ version: 7, payload: 105 });
    expect(await until(b, 'n', (r) => r.version === 7)).toMatchObject({ payload: 105 });
    for (const w of [a, b]) await w.kill('SIGTERM');
  });

  it('a writer killed right after its link: the commit reaches every window at once, and its intent and temp file are removed', async () => {
    const dir = join(work.dir, 'killed-after-link');
    const [a] = await windows(dir, 1);
    if (!a) throw new Error('no window');
    await update(a, 'counts', 0);
    const victim = new Worker('faultWriter', { storeModule, dir, key: 'counts', id: 'victim', count: 5, keepVersions: 2, stopAfterLink: 2, ackLog: join(work.dir, 'victim.log') });
    const seen = await until(a, 'counts', (r) => r.version === 3);
    expect(seen.payload).toMatchObject({ victim: 2 });
    await victim.kill('SIGKILL');
    const keyFolder = join(recordFolders(dir)[0] ?? '', '..');
    const victimFiles = (): string[] => [...readdirSync(keyFolder), ...readdirSync(join(dir, 'tmp'))].filter((n) => n.includes(`-${victim.child.pid}-`));
    expect(victimFiles().length).toBeGreaterThan(0);
    // Others' collections remove the dead writer's intent; a window opening removes its temp files.
    for (let i = 0; i < 8; i++) await update(a, 'counts', 0);
    const [opener] = await windows(dir, 1);
    expect(victimFiles()).toEqual([]);
    for (const w of [a, opener]) await w?.kill('SIGTERM');
  });
});
