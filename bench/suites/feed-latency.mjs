// Commit → other process's callback: a writer process commits, a reader process's createTouchWatcher callback
// fires. One commit at a time (the next only after the reader saw the last, or gave up), so a newer version never
// supersedes the one being timed, after a random pause so commits fall at random phases of the poll period.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seenVersion as seenWithin, startWorker } from '../lib/processes.mjs';
import { median, quantile, round } from '../lib/stats.mjs';

const worker = fileURLToPath(new URL('../workers/feed.mjs', import.meta.url));
const KEY = 'bench.feed';
const GIVE_UP_MS = 3000;
/** Waits for the reader to report `version` (or a newer one); null when it does not within GIVE_UP_MS. */
const seenVersion = (reader, version) => seenWithin(reader, version, GIVE_UP_MS);
const WARM_UP = 10;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function runOnce(watch, samples, maxPauseMs) {
  const dir = mkdtempSync(join(tmpdir(), `bm-bench-feed-${watch}-`));
  const writer = startWorker(worker, ['writer', dir, watch, KEY]);
  const reader = startWorker(worker, ['reader', dir, watch, KEY]);
  try {
    await Promise.all([writer.next('ready'), reader.next('ready')]);
    const fromAck = [];
    const fromCall = [];
    let missed = 0;
    let superseded = 0;
    let staleGets = 0;
    for (let i = 0; i < WARM_UP + samples; i++) {
      await sleep(Math.random() * maxPauseMs);
      writer.send({ type: 'commit' });
      const committed = await writer.next('committed');
      const seen = await seenVersion(reader, committed.version);
      if (i < WARM_UP) continue;
      if (seen === null) missed += 1;
      else if (seen.version !== committed.version) superseded += 1;
      else {
        fromAck.push(seen.at - committed.ackedAt);
        fromCall.push(seen.at - committed.calledAt);
        if (seen.visibleVersion < seen.version) staleGets += 1;
      }
    }
    writer.send({ type: 'stop' });
    reader.send({ type: 'stop' });
    const [, readerDone] = await Promise.all([writer.next('done'), reader.next('done')]);
    return { fromAck, fromCall, missed, superseded, staleGets, readerMetrics: readerDone.result.metrics };
  } finally {
    writer.stop();
    reader.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function feedLatency({ modes, samples, repeats, log }) {
  const rows = [];
  for (const { watch, maxPauseMs } of modes) {
    const runs = [];
    for (let r = 0; r < repeats; r++) {
      const run = await runOnce(watch, samples, maxPauseMs);
      runs.push(run);
      log(`feed ${watch} #${r + 1}: p50 ${round(median(run.fromAck))}…${round(median(run.fromCall))} ms, p99 ${round(quantile(run.fromAck, 0.99))}…${round(quantile(run.fromCall, 0.99))} ms, missed ${run.missed}`);
    }
    // The commit itself (the link) happens inside update(), after the call and before it resolves, and no outside
    // clock can see it. So both sides are reported: from the call (an upper bound: it includes the writer's own
    // write and fsync) and from the resolution (a lower bound: negative when the store announces the commit before
    // its own update() has resolved). The true commit → callback latency lies between them.
    const summary = (key) => {
      const pooled = runs.flatMap((x) => x[key]);
      return { p50: median(pooled), p99: quantile(pooled, 0.99), max: Math.max(...pooled), perRun: runs.map((x) => ({ p50: median(x[key]), p99: quantile(x[key], 0.99) })) };
    };
    rows.push({
      watch,
      maxPauseMs,
      samples: runs.reduce((a, x) => a + x.fromAck.length, 0),
      fromCall: summary('fromCall'),
      fromAck: summary('fromAck'),
      storeMetric: runs.map((x) => x.readerMetrics.feedLatencyMs),
      missed: runs.reduce((a, x) => a + x.missed, 0),
      superseded: runs.reduce((a, x) => a + x.superseded, 0),
      staleGets: runs.reduce((a, x) => a + x.staleGets, 0),
      readerMetrics: runs.map((x) => x.readerMetrics),
      samplesMs: runs.map((x) => ({ fromCall: x.fromCall.map((v) => round(v, 4)), fromAck: x.fromAck.map((v) => round(v, 4)) })),
    });
  }
  return { rows };
}
