// One commit seen by N windows (issue 23): N reader processes, each a StorageWrapper on the same folder (default
// options, so watch 'auto'), listening with `onDidChange`; one writer process commits one change at a time, after a
// random pause so the readers are idle when it lands. Per commit: the time from the writer's call to the LAST
// reader's callback (and the first's; each process's clock anchored to the system clock, see lib/clock.mjs), and the
// CPU all readers spent on it (their process.cpuUsage() over the commits, less what each uses doing nothing, ÷ commits). N and the two kinds of change (`update` of a key,
// `counter(key).add(1)`) are interleaved round by round, so a noisy minute on the shared machine hits all alike.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seenVersion as seenWithin, startWorker } from '../lib/processes.mjs';
import { median, quantile, round } from '../lib/stats.mjs';

const worker = fileURLToPath(new URL('../workers/fanout.mjs', import.meta.url));
const KEY = 'bench.fanout';
const GIVE_UP_MS = 3000;
/** Waits for the reader to report `version` (or a newer one); null when it does not within GIVE_UP_MS. */
const seenVersion = (reader, version) => seenWithin(reader, version, GIVE_UP_MS);
const WARM_UP = 5;
const IDLE_MS = 1000;
const PINGS = 50;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const sum = (values) => values.reduce((a, v) => a + v, 0);

/** Asks every worker at once and waits for all the answers. */
const ask = (workers, message, answer) => {
  for (const w of workers) w.send(message);
  return Promise.all(workers.map((w) => w.next(answer)));
};

async function runOnce({ mode, readers: n, commits, minPauseMs, maxPauseMs }) {
  const dir = mkdtempSync(join(tmpdir(), `bm-bench-fanout-${mode}-${n}-`));
  const writer = startWorker(worker, ['writer', dir, mode, KEY]);
  const readers = Array.from({ length: n }, () => startWorker(worker, ['reader', dir, mode, KEY]));
  const all = [writer, ...readers];
  try {
    const ready = await Promise.all(all.map((w) => w.next('ready')));
    // How far each process's performance.timeOrigin was from the system clock (not used for timing: see lib/clock.mjs).
    const timeOriginSkewMs = ready.map((x) => x.clockSkewMs);

    const lastFromCall = [];
    const lastFromAck = [];
    const firstFromCall = [];
    let missed = 0;
    let superseded = 0;
    const commitOnce = async (record) => {
      await sleep(minPauseMs + Math.random() * (maxPauseMs - minPauseMs));
      writer.send({ type: 'commit' });
      const committed = await writer.next('committed');
      const seen = await Promise.all(readers.map((r) => seenVersion(r, committed.version)));
      if (!record) return;
      if (seen.some((s) => s === null)) missed += 1;
      else if (seen.some((s) => s.version !== committed.version)) superseded += 1;
      else {
        const last = Math.max(...seen.map((s) => s.at));
        lastFromCall.push(last - committed.calledAt);
        lastFromAck.push(last - committed.ackedAt);
        firstFromCall.push(Math.min(...seen.map((s) => s.at)) - committed.calledAt);
      }
    };
    for (let i = 0; i < WARM_UP; i++) await commitOnce(false);

    // What each process uses doing nothing (all at once, nothing committed meanwhile): the baseline to subtract.
    await sleep(maxPauseMs);
    const idle = await ask(all, { type: 'idle', ms: IDLE_MS }, 'idle-done');
    const idleRate = idle.map((x) => x.cpuMs / x.wallMs); // CPU ms per ms

    // What the benchmark's own messages cost a reader: PINGS round trips (a 'seen' is only the sending half).
    await ask(readers, { type: 'cpu-start' }, 'cpu-started');
    for (let i = 0; i < PINGS; i++) await ask(readers, { type: 'ping' }, 'pong');
    const pingCpu = await ask(readers, { type: 'cpu-stop' }, 'cpu');
    const pingMsPerReader = median(pingCpu.map((x, i) => (x.cpuMs - idleRate[i + 1] * x.wallMs) / PINGS));

    const loadBefore = loadavg()[0];
    await ask(all, { type: 'cpu-start' }, 'cpu-started');
    for (let i = 0; i < commits; i++) await commitOnce(true);
    await sleep(maxPauseMs); // whatever a reader does after its callback counts too
    const cpu = await ask(all, { type: 'cpu-stop' }, 'cpu');
    const loadAfter = loadavg()[0];

    const net = cpu.map((x, i) => x.cpuMs - idleRate[i] * x.wallMs);
    const readersCpu = net.slice(1);
    const done = await ask(all, { type: 'stop' }, 'done');
    await Promise.all(all.map((w) => w.exited()));
    const readerMetrics = done.slice(1).map((d) => d.result.metrics);
    return {
      lastFromCall,
      lastFromAck,
      firstFromCall,
      missed,
      superseded,
      // CPU per commit, net of each process's idle rate; raw too, to show the subtraction is small.
      readersCpuMsPerCommit: sum(readersCpu) / commits,
      readersCpuMsPerCommitRaw: sum(cpu.slice(1).map((x) => x.cpuMs)) / commits,
      // The kernel's share (system time: file events, listing, open/read/close) of the readers' raw CPU.
      readersSystemShare: sum(cpu.slice(1).map((x) => x.systemMs)) / sum(cpu.slice(1).map((x) => x.cpuMs)),
      perReaderCpuMsPerCommit: readersCpu.map((x) => x / commits),
      writerCpuMsPerCommit: net[0] / commits,
      idleCpuMsPerSecPerReader: median(idleRate.slice(1)) * 1000,
      idleCpuMsPerSecWriter: idleRate[0] * 1000,
      pingMsPerReader,
      measuredWallMs: cpu[0].wallMs,
      timeOriginSkewMs,
      loadAverage1m: [loadBefore, loadAfter],
      remoteChangesFoundBy: readerMetrics.reduce((a, m) => {
        for (const [k, v] of Object.entries(m.remoteChangesFoundBy)) a[k] = (a[k] ?? 0) + v;
        return a;
      }, {}),
      readerWatchModes: [...new Set(readerMetrics.map((m) => m.watchMode))],
    };
  } finally {
    for (const w of all) w.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function fanout({ readerCounts, modes, commits, rounds, minPauseMs = 50, maxPauseMs = 150, log }) {
  const runs = Object.fromEntries(modes.flatMap((mode) => readerCounts.map((n) => [`${mode}/${n}`, []])));
  for (let r = 0; r < rounds; r++) {
    // Alternate the order from round to round, so no N always runs first (or after the biggest).
    const order = r % 2 === 0 ? readerCounts : [...readerCounts].reverse();
    for (const mode of modes) {
      for (const n of order) {
        const run = await runOnce({ mode, readers: n, commits, minPauseMs, maxPauseMs });
        runs[`${mode}/${n}`].push(run);
        log(`fanout ${mode} ×${n} #${r + 1}: last reader p50 ${round(median(run.lastFromCall))} ms, p99 ${round(quantile(run.lastFromCall, 0.99))} ms; readers' CPU ${round(run.readersCpuMsPerCommit)} ms/commit (${round(run.readersCpuMsPerCommit / n)} per reader), missed ${run.missed}, load ${round(run.loadAverage1m[0])}`);
      }
    }
  }
  const rows = [];
  for (const mode of modes) {
    const base = runs[`${mode}/${readerCounts[0]}`];
    for (const n of readerCounts) {
      const list = runs[`${mode}/${n}`];
      const pooled = (key) => list.flatMap((x) => x[key]);
      const dist = (key) => ({ p50: median(pooled(key)), p99: quantile(pooled(key), 0.99), max: Math.max(...pooled(key)) });
      const cpuMedian = median(list.map((x) => x.readersCpuMsPerCommit));
      // Ratios to the first N within each round (measured a minute apart, under the same load), then the median.
      const byRound = (f) => list.map((x, i) => f(x) / f(base[i]));
      rows.push({
        mode,
        readers: n,
        samples: pooled('lastFromCall').length,
        lastFromCall: { ...dist('lastFromCall'), perRun: list.map((x) => ({ p50: median(x.lastFromCall), p99: quantile(x.lastFromCall, 0.99) })) },
        lastFromAck: dist('lastFromAck'),
        firstFromCall: dist('firstFromCall'),
        readersCpuMsPerCommit: cpuMedian,
        readersCpuMsPerCommitPerRun: list.map((x) => x.readersCpuMsPerCommit),
        readersCpuMsPerCommitRaw: median(list.map((x) => x.readersCpuMsPerCommitRaw)),
        readersSystemShare: median(list.map((x) => x.readersSystemShare)),
        perReaderCpuMsPerCommit: cpuMedian / n,
        perReaderCpuSpread: { min: Math.min(...list.flatMap((x) => x.perReaderCpuMsPerCommit)), max: Math.max(...list.flatMap((x) => x.perReaderCpuMsPerCommit)) },
        writerCpuMsPerCommit: median(list.map((x) => x.writerCpuMsPerCommit)),
        idleCpuMsPerSecPerReader: median(list.map((x) => x.idleCpuMsPerSecPerReader)),
        pingMsPerReader: median(list.map((x) => x.pingMsPerReader)),
        latencyVsFirst: median(byRound((x) => median(x.lastFromCall))),
        latencyVsFirstByRound: byRound((x) => median(x.lastFromCall)),
        cpuVsFirst: median(byRound((x) => x.readersCpuMsPerCommit)),
        cpuVsFirstByRound: byRound((x) => x.readersCpuMsPerCommit),
        missed: list.reduce((a, x) => a + x.missed, 0),
        superseded: list.reduce((a, x) => a + x.superseded, 0),
        remoteChangesFoundBy: list.reduce((a, x) => {
          for (const [k, v] of Object.entries(x.remoteChangesFoundBy)) a[k] = (a[k] ?? 0) + v;
          return a;
        }, {}),
        readerWatchModes: [...new Set(list.flatMap((x) => x.readerWatchModes))],
        loadAverage1m: list.map((x) => x.loadAverage1m),
        // How far apart the processes' performance.timeOrigin clocks were, per run (not used: see lib/clock.mjs).
        timeOriginSpreadMs: list.map((x) => Math.max(...x.timeOriginSkewMs) - Math.min(...x.timeOriginSkewMs)),
        samplesMs: list.map((x) => ({ lastFromCall: x.lastFromCall.map((v) => round(v, 4)), firstFromCall: x.firstFromCall.map((v) => round(v, 4)) })),
      });
    }
  }
  return { readerCounts, modes, commits, rounds, warmUp: WARM_UP, minPauseMs, maxPauseMs, idleMs: IDLE_MS, pings: PINGS, rows };
}
