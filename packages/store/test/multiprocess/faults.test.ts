import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtStore, recordFolders, stopped, tempFolder, Worker } from './harness';

/**
 * Fault injection with real processes on real files: writers are killed (SIGKILL) and frozen (SIGSTOP, from a
 * millisecond to over a minute — one of them right after the link of a commit, before its fsyncs) while others
 * commit, collect with keepVersions at its minimum, and new windows open. Each writer adds 1 to its own entry of
 * a shared map per update and logs what was acknowledged, so the end state tells, writer by writer, that no
 * acknowledged update was lost (never less), none was applied twice (never more), and a killed writer has at
 * most its one update in flight committed without an answer (at most +1).
 */
const longStopMs = Number(process.env.BM_FAULT_LONG_STOP_MS ?? 65_000);
const keepVersions = 2;
const key = 'counts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** A wait that fails, saying what it waited for, instead of hanging the run. */
async function within<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe.skipIf(process.platform !== 'linux')('writers killed and frozen at any point', () => {
  const work = tempFolder();
  let storeModule = '';
  beforeAll(() => {
    storeModule = builtStore(work.dir);
  });
  afterAll(() => work.remove());

  it(`never lose or double an acknowledged update (writers frozen ${Math.round(longStopMs / 1000)} s just before and just after a link)`, async () => {
    const dir = join(work.dir, 'storage');
    const logs = join(work.dir, 'acks');
    mkdirSync(logs);
    const writers = new Map<string, { worker: Worker; count: number; killed: boolean }>();
    const acked = (id: string): number => {
      const path = join(logs, id);
      return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0;
    };
    let next = 0;
    const start = (count: number, extra: Record<string, unknown> = {}): string => {
      const id = `w${next++}`;
      const worker = new Worker('faultWriter', { storeModule, dir, key, id, count, keepVersions, ackLog: join(logs, id), ...extra });
      writers.set(id, { worker, count, killed: false });
      return id;
    };
    const readers = [new Worker('monotonicReader', { storeModule, dir, key, watch: 'auto' }), new Worker('monotonicReader', { storeModule, dir, key, watch: 'poll' })];
    await within('readers ready', 60_000, Promise.all(readers.map((r) => r.next('ready'))));

    const frozen = start(40, { stopAfterLink: 5 });
    const frozenBefore = start(40, { stopBeforeLink: 5 });
    for (let i = 0; i < 3; i++) start(120);
    const pids = [frozen, frozenBefore].map((id) => writers.get(id)?.worker.child.pid ?? 0);
    for (const started = Date.now(); !pids.every(stopped); await sleep(20)) {
      if (Date.now() - started > 120_000) {
        const states = [frozen, frozenBefore].map((id) => `${id} exit ${writers.get(id)?.worker.child.exitCode} acked ${acked(id)}`).join(', ');
        for (const w of [...writers.values()].map((x) => x.worker).concat(readers)) w.child.kill('SIGKILL'); // none left stopped
        throw new Error(`the writers meant to freeze themselves did not: ${states}`);
      }
    }
    const frozenAt = Date.now();

    // Chaos while it is frozen: kills, short and long stops, and new windows opening (they sweep and collect).
    const stops = { count: 0, shortest: Infinity, longest: 0 };
    let kills = 0;
    while (Date.now() - frozenAt < longStopMs) {
      const running = [...writers.entries()].filter(([id, w]) => id !== frozen && id !== frozenBefore && !w.killed && w.worker.child.exitCode === null);
      const [id, victim] = running[Math.floor(Math.random() * running.length)] ?? [];
      const roll = Math.random();
      if (victim && id && roll < 0.25) {
        await sleep(Math.random() * 30);
        victim.killed = true;
        await within(`killing ${id}`, 30_000, victim.worker.kill('SIGKILL'));
        kills++;
        start(120);
      } else if (victim && roll < 0.7) {
        const ms = Math.random() < 0.3 ? 1 : Math.random() * 3000;
        victim.worker.child.kill('SIGSTOP');
        await sleep(ms);
        victim.worker.child.kill('SIGCONT');
        stops.count++;
        stops.shortest = Math.min(stops.shortest, ms);
        stops.longest = Math.max(stops.longest, ms);
      } else {
        if (running.length < 5) start(200);
        await sleep(300 + Math.random() * 700);
      }
    }
    writers.get(frozen)?.worker.child.kill('SIGCONT');
    writers.get(frozenBefore)?.worker.child.kill('SIGCONT');
    const frozenForMs = Date.now() - frozenAt;
    // Every writer that was not killed finishes its updates; if one does not, say where each one is.
    const finished = Promise.all([...writers.values()].filter((w) => !w.killed).map((w) => w.worker.exited));
    const late = await Promise.race([finished.then(() => undefined), sleep(120_000).then(() => 'late')]);
    if (late) {
      const states = [...writers.entries()].map(([id, w]) => `${id} pid ${w.worker.child.pid} ${w.killed ? 'killed' : `exit ${w.worker.child.exitCode}`} /proc ${stopped(w.worker.child.pid ?? 0) ? 'stopped' : 'running'} acked ${acked(id)}/${w.count}`);
      throw new Error(`writers did not finish:\n${states.join('\n')}`);
    }
    for (const w of writers.values()) if (!w.killed) expect(await w.worker.exited).toBe(0);

    // A new window reads the end state; it also sweeps what the killed windows left behind.
    const verifier = new Worker('holder', { storeModule, dir });
    await within('verifier ready', 60_000, verifier.next('ready'));
    verifier.send({ type: 'read', key });
    const final = (await within('verifier read', 60_000, verifier.next('read'))).record as { version: number; payload: Record<string, number> };
    let total = 0;
    for (const [id, w] of writers) {
      const got = final.payload[id] ?? 0;
      total += got;
      if (w.killed) {
        expect([id, got >= acked(id) && got <= acked(id) + 1]).toEqual([id, true]);
      } else {
        expect([id, got, acked(id)]).toEqual([id, w.count, w.count]);
      }
    }
    expect(final.version).toBe(total); // every commit was exactly one increment of one writer

    for (const reader of readers) reader.send({ type: 'report' });
    const reports = await within('readers report', 60_000, Promise.all(readers.map((r) => r.next('report'))));
    for (const report of reports) {
      expect(report.violations).toEqual([]);
      expect(report.last).toBe(final.version);
    }
    await verifier.kill('SIGTERM');
    for (const r of readers) await r.kill('SIGTERM');

    // What the dead left: their temp files were swept when the verifier opened; the key folder stays small.
    const leftovers = readdirSync(join(dir, 'tmp')).filter((n) => !n.includes(`-${verifier.child.pid}-`));
    const folder = recordFolders(dir)[0] ?? '';
    const records = readdirSync(folder).filter((n) => /^v\d{12}\.json$/.test(n));
    console.log(
      `[faults] ${writers.size} writers, ${kills} killed, ${stops.count} stops of ${stops.shortest.toFixed(0)}–${stops.longest.toFixed(0)} ms, ` +
        `two frozen (before and after a link) for ${(frozenForMs / 1000).toFixed(1)} s; final version ${final.version}; ` +
        `records in the folder ${records.length}; temp files left ${leftovers.length}; reader events ${reports.map((r) => r.events).join(', ')}`,
    );
    expect(leftovers).toEqual([]);
  }, longStopMs + 240_000);
});
