import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtStore, recordFolders, tempFolder, untilStopped, Worker } from './harness';

/**
 * Per-writer logs with real processes on real files: appenders killed (SIGKILL) mid-append keep every acknowledged
 * event and add at most the one in flight; compaction (folding gone writers' logs into the key's record) frozen
 * (SIGSTOP) before its link and after its commit, killed, or run by several processes at once neither loses nor
 * duplicates an event; every reader reads one order.
 */

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function ackedIds(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '') : [];
}

function logFiles(storage: string): string[] {
  return recordFolders(storage).flatMap((folder) => readdirSync(folder).filter((n) => n.startsWith('l-')));
}

describe('per-writer logs across processes', () => {
  const work = tempFolder();
  let storeModule = '';
  const workers: Worker[] = [];
  const track = (w: Worker): Worker => {
    workers.push(w);
    return w;
  };
  beforeAll(() => {
    storeModule = builtStore(work.dir);
  });
  afterAll(async () => {
    for (const w of workers) {
      w.child.kill('SIGCONT');
      await w.kill('SIGKILL');
    }
    work.remove();
  });

  async function readIds(dir: string): Promise<string[]> {
    const reader = track(new Worker('logFolder', { storeModule, dir, key: 'log' }));
    await reader.next('folded');
    reader.send({ type: 'get' });
    const got = await reader.next('got');
    await reader.kill('SIGTERM');
    return got.ids as string[];
  }

  it('appenders killed at random moments while new ones fold them in: every acknowledged event once, at most one more per kill, one order', async () => {
    const dir = join(work.dir, 'kills');
    const logDir = join(work.dir, 'kill-acks');
    mkdirSync(logDir);
    let n = 0;
    const spawn = (): Worker => {
      const name = `w${n++}`;
      return track(new Worker('logAppender', { storeModule, dir, key: 'log', name, ackLog: join(logDir, `${name}.log`) }));
    };
    const slots = [spawn(), spawn(), spawn()];
    const kills = 20;
    for (let kill = 0; kill < kills; kill++) {
      const i = Math.floor(Math.random() * slots.length);
      await (slots[i] as Worker).next('firstAck');
      await sleep(Math.random() * 30);
      await (slots[i] as Worker).kill('SIGKILL');
      slots[i] = spawn();
    }
    await Promise.all(slots.map((w) => w.next('firstAck')));
    for (const w of slots) await w.kill('SIGKILL');
    const acked = readdirSync(logDir).flatMap((name) => ackedIds(join(logDir, name)));
    const [first, second] = [await readIds(dir), await readIds(dir)];
    expect(new Set(first).size).toBe(first.length);
    const present = new Set(first);
    const missing = acked.filter((id) => !present.has(id));
    expect(missing).toEqual([]);
    expect(first.length - acked.length).toBeGreaterThanOrEqual(0);
    expect(first.length - acked.length).toBeLessThanOrEqual(kills + slots.length);
    expect(second).toEqual(first);
    expect(logFiles(dir)).toEqual([]);
  });

  it('compactions frozen before their link and after their commit, one killed, three at once, beside a live appender: exact', async () => {
    const dir = join(work.dir, 'folds');
    const logDir = join(work.dir, 'fold-acks');
    mkdirSync(logDir);
    const gone = Array.from({ length: 5 }, (_, i) => {
      const ackLog = join(logDir, `gone-${i}.log`);
      return { ackLog, worker: track(new Worker('logAppender', { storeModule, dir, key: 'log', name: `g${i}`, ackLog, count: 30 + i })) };
    });
    await Promise.all(gone.map((g) => g.worker.next('done')));
    for (const g of gone) await g.worker.kill('SIGKILL');
    const goneIds = gone.flatMap((g) => ackedIds(g.ackLog));
    expect(goneIds).toHaveLength(5 * 30 + 10);

    const before = track(new Worker('logFolder', { storeModule, dir, key: 'log', stopBeforeFoldLink: true, waitForGo: true }));
    const after = track(new Worker('logFolder', { storeModule, dir, key: 'log', stopAfterFold: true, waitForGo: true }));
    const beforePid = (await before.next('ready')).pid as number;
    const afterPid = (await after.next('ready')).pid as number;
    const frozen = (pid: number): Promise<void> => untilStopped(pid, 'the compaction');
    before.send({ type: 'go' });
    await frozen(beforePid);
    after.send({ type: 'go' });
    await frozen(afterPid);
    const liveLog = join(logDir, 'live.log');
    const live = track(new Worker('logAppender', { storeModule, dir, key: 'log', name: 'live', ackLog: liveLog, count: 300 }));
    await live.next('firstAck');
    const killed = track(new Worker('logFolder', { storeModule, dir, key: 'log' }));
    await sleep(Math.random() * 20);
    await killed.kill('SIGKILL');
    const three = Array.from({ length: 3 }, () => track(new Worker('logFolder', { storeModule, dir, key: 'log', waitForGo: true })));
    await Promise.all(three.map((w) => w.next('ready')));
    for (const w of three) w.send({ type: 'go' });
    await Promise.all(three.map((w) => w.next('folded')));
    before.child.kill('SIGCONT');
    after.child.kill('SIGCONT');
    await Promise.all([before.next('folded'), after.next('folded')]);
    await live.next('done');
    await live.kill('SIGKILL');
    for (const w of [before, after, ...three]) await w.kill('SIGTERM');

    const ids = await readIds(dir);
    const expected = [...goneIds, ...ackedIds(liveLog)];
    expect(ackedIds(liveLog)).toHaveLength(300);
    expect([...ids].sort()).toEqual([...expected].sort());
    expect(logFiles(dir)).toEqual([]);
  });
});
