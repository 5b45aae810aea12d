import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtStore, recordFolders, tempFolder, untilStopped, Worker } from './harness';

/**
 * Convergent counters with real processes on real files: adds from many processes at once never conflict and add up
 * exactly; adders killed (SIGKILL) mid-add lose nothing acknowledged and gain at most their one add in flight; the
 * folding of gone writers' contributions, killed or frozen (SIGSTOP) at its two critical points or run by several
 * processes at once, neither loses nor doubles a contribution.
 */

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function acks(path: string): number {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').length : 0;
}

/** Every contribution on disk: writer → the highest `p` of its readable slots (the test's own reading of the format). */
function contributions(storage: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const folder of recordFolders(storage)) {
    for (const name of readdirSync(folder)) {
      const match = /^c-(.+)-[01]\.json$/.exec(name);
      if (!match?.[1]) continue;
      const [body] = readFileSync(join(folder, name), 'utf8').split('\n');
      try {
        const parsed = JSON.parse(body as string) as { seq: number; state: Record<string, { p: number }> };
        const p = parsed.state[match[1]]?.p ?? 0;
        found.set(match[1], Math.max(found.get(match[1]) ?? 0, p));
      } catch {
        // A torn slot: the other one counts.
      }
    }
  }
  return found;
}

function slotFiles(storage: string): string[] {
  return recordFolders(storage).flatMap((folder) => readdirSync(folder).filter((n) => n.startsWith('c-')));
}

describe('convergent counter across processes', () => {
  const work = tempFolder();
  let storeModule = '';
  beforeAll(() => {
    storeModule = builtStore(work.dir);
  });
  const workers: Worker[] = [];
  const track = (w: Worker): Worker => {
    workers.push(w);
    return w;
  };
  afterAll(async () => {
    for (const w of workers) {
      w.child.kill('SIGCONT');
      await w.kill('SIGKILL');
    }
    work.remove();
  });

  async function finalValue(dir: string, key: string): Promise<{ value: number; folded: number; record: { payload: unknown } }> {
    const reader = track(new Worker('counterFolder', { storeModule, dir, key }));
    const folded = await reader.next('folded');
    reader.send({ type: 'get' });
    const got = await reader.next('got');
    await reader.kill('SIGTERM');
    return { value: got.value as number, folded: folded.folded as number, record: got.record as { payload: unknown } };
  }

  it('8 processes × 300 adds at once: exact, and no conflict anywhere', async () => {
    const dir = join(work.dir, 'burst');
    const workers = Array.from({ length: 8 }, () => track(new Worker('counterBurst', { storeModule, dir, key: 'n', count: 300 })));
    await Promise.all(workers.map((w) => w.next('ready')));
    for (const w of workers) w.send({ type: 'go' });
    const done = await Promise.all(workers.map((w) => w.next('done')));
    await Promise.all(workers.map((w) => w.exited));
    const conflicts = done.reduce((sum, m) => sum + (m.metrics as { conflicts: number }).conflicts, 0);
    expect(conflicts).toBe(0);
    // Each saw at least its own 300; after all have folded themselves in on exit, a new process sees all.
    for (const m of done) expect(m.value as number).toBeGreaterThanOrEqual(300);
    const final = await finalValue(dir, 'n');
    expect(final.value).toBe(2400);
    expect(slotFiles(dir)).toEqual([]);
  });

  it('adders killed at random moments while new ones fold them in: nothing acknowledged lost, at most one add per kill gained', async () => {
    const dir = join(work.dir, 'kills');
    const logDir = join(work.dir, 'kill-acks');
    mkdirSync(logDir);
    let n = 0;
    // Every new adder folds the killed ones in when it opens the counter: folds run beside adds and kills.
    const spawn = (): Worker => track(new Worker('counterAdder', { storeModule, dir, key: 'n', ackLog: join(logDir, `adder-${n++}.log`) }));
    const slots = [spawn(), spawn(), spawn()];
    const kills = 30;
    for (let kill = 0; kill < kills; kill++) {
      const i = Math.floor(Math.random() * slots.length);
      await (slots[i] as Worker).next('firstAck');
      await sleep(Math.random() * 30);
      await (slots[i] as Worker).kill('SIGKILL');
      slots[i] = spawn();
    }
    await Promise.all(slots.map((w) => w.next('firstAck')));
    for (const w of slots) await w.kill('SIGKILL');
    const acked = readdirSync(logDir).reduce((sum, name) => sum + acks(join(logDir, name)), 0);
    const final = await finalValue(dir, 'n');
    expect(final.value).toBeGreaterThanOrEqual(acked);
    expect(final.value).toBeLessThanOrEqual(acked + kills + slots.length);
    expect(slotFiles(dir)).toEqual([]);
  });

  it('adders killed mid-add: each one’s contribution holds every acknowledged add and at most one more; folding them is exact', async () => {
    const dir = join(work.dir, 'each');
    const logDir = join(work.dir, 'each-acks');
    mkdirSync(logDir);
    const adders = Array.from({ length: 4 }, (_, i) => {
      const log = join(logDir, `adder-${i}.log`);
      return { log, worker: track(new Worker('counterAdder', { storeModule, dir, key: 'n', ackLog: log })) };
    });
    const writers = await Promise.all(adders.map(async (a) => (await a.worker.next('ready')).writer as string));
    await Promise.all(adders.map((a) => a.worker.next('firstAck')));
    for (const a of adders) {
      await sleep(20 + Math.random() * 40);
      await a.worker.kill('SIGKILL');
    }
    const onDisk = contributions(dir);
    let total = 0;
    adders.forEach((a, i) => {
      const acked = acks(a.log);
      const p = onDisk.get(writers[i] as string) ?? 0;
      expect(acked).toBeGreaterThan(0);
      expect(p, `adder ${i}`).toBeGreaterThanOrEqual(acked);
      expect(p, `adder ${i}`).toBeLessThanOrEqual(acked + 1);
      total += p;
    });
    const first = await finalValue(dir, 'n');
    expect(first.value).toBe(total);
    expect(slotFiles(dir)).toEqual([]);
    // With nothing to fold, opening the key commits nothing; the next fold that folds a writer forgets the folded
    // writers whose files are gone, and the value stays.
    const second = await finalValue(dir, 'n');
    expect(second.value).toBe(total);
    expect(Object.keys((second.record.payload as { folded: object }).folded)).toHaveLength(4);
    const last = track(new Worker('counterAdder', { storeModule, dir, key: 'n', ackLog: join(logDir, 'last.log'), count: 1 }));
    await last.next('done');
    await last.kill('SIGKILL');
    const third = await finalValue(dir, 'n');
    expect(third.value).toBe(total + 1);
    expect(Object.keys((third.record.payload as { folded: object }).folded)).toEqual([(await last.next('ready')).writer]);
  });

  it('folds frozen before their link and after their commit, one killed, three at once, beside a live adder: exact', async () => {
    const dir = join(work.dir, 'folds');
    const logDir = join(work.dir, 'fold-acks');
    mkdirSync(logDir);
    // Six writers add at once (none folds another: all are alive when they open) and are killed: six gone
    // contributions to fold.
    const gone = Array.from({ length: 6 }, (_, i) => {
      const log = join(logDir, `gone-${i}.log`);
      return { log, worker: track(new Worker('counterAdder', { storeModule, dir, key: 'n', ackLog: log, count: 20 + i })) };
    });
    await Promise.all(gone.map((g) => g.worker.next('done')));
    for (const g of gone) await g.worker.kill('SIGKILL');
    const goneTotal = gone.reduce((a, g) => a + acks(g.log), 0);

    // Two folders read the same base: one freezes before its link, the other commits and freezes before it removes
    // any folded file.
    const before = track(new Worker('counterFolder', { storeModule, dir, key: 'n', stopBeforeFoldLink: true, waitForGo: true }));
    const after = track(new Worker('counterFolder', { storeModule, dir, key: 'n', stopAfterFold: true, waitForGo: true }));
    const beforePid = (await before.next('ready')).pid as number;
    const afterPid = (await after.next('ready')).pid as number;
    const frozen = (pid: number): Promise<void> => untilStopped(pid, 'the folder');
    // In this order, so both build on the same base: the first is frozen holding it when the second reads it.
    before.send({ type: 'go' });
    await frozen(beforePid);
    after.send({ type: 'go' });
    await frozen(afterPid);
    // A live adder (it folds when it opens too), one folder killed at a random moment, then three at once, while
    // both frozen ones hold their places.
    const liveLog = join(logDir, 'live.log');
    const live = track(new Worker('counterAdder', { storeModule, dir, key: 'n', ackLog: liveLog, count: 400 }));
    await live.next('firstAck');
    const killed = track(new Worker('counterFolder', { storeModule, dir, key: 'n' }));
    await sleep(Math.random() * 20);
    await killed.kill('SIGKILL');
    const three = Array.from({ length: 3 }, () => track(new Worker('counterFolder', { storeModule, dir, key: 'n', waitForGo: true })));
    await Promise.all(three.map((w) => w.next('ready')));
    for (const w of three) w.send({ type: 'go' });
    await Promise.all(three.map((w) => w.next('folded')));
    await sleep(300);
    before.child.kill('SIGCONT');
    after.child.kill('SIGCONT');
    await Promise.all([before.next('folded'), after.next('folded')]);
    await live.next('done');
    await live.exited;
    for (const w of [before, after, ...three]) await w.kill('SIGTERM');

    const final = await finalValue(dir, 'n');
    expect(goneTotal).toBe(6 * 20 + 15);
    expect(final.value).toBe(goneTotal + acks(liveLog));
    expect(acks(liveLog)).toBe(400);
    expect(slotFiles(dir)).toEqual([]);
  });
});
