// The per-writer log (`store.log(key)`, issue 24): durable appends against SQLite, entries() over 100 k events,
// compaction of gone writers' logs, and what compression does to a 500-session history record.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sqliteLog } from '../lib/logData.mjs';
import { runTogether, startWorker } from '../lib/processes.mjs';
import { median, round } from '../lib/stats.mjs';

const appendWorker = fileURLToPath(new URL('../workers/log-append.mjs', import.meta.url));
const verifyWorker = fileURLToPath(new URL('../workers/log-verify.mjs', import.meta.url));
const writerWorker = fileURLToPath(new URL('../workers/log-writer.mjs', import.meta.url));
const readerWorker = fileURLToPath(new URL('../workers/log-reader.mjs', import.meta.url));
const compressionWorker = fileURLToPath(new URL('../workers/log-compression.mjs', import.meta.url));
const KEY = 'bench.sessions';

async function inTempDir(prefix, body) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const verify = async (method, dir, writers, perWriter) => (await runTogether(verifyWorker, () => [method, dir, KEY, String(writers), String(perWriter)], 1)).results[0];

/**
 * One append run: `processes` processes released together, each appending `perProcess` events. For the store, a
 * fresh process checks the log while the appenders are still open, they close (each folds its own log into the
 * key's record), and another fresh process checks it again.
 */
async function appendRun(method, mode, processes, perProcess) {
  return inTempDir(`bm-bench-log-${method}-`, async (dir) => {
    if (method === 'sqlite') sqliteLog(join(dir, 'log.db')).close(); // the table, before the release
    const after =
      method === 'store'
        ? async (phase) => {
            const whileOpen = await verify(method, dir, processes, perProcess);
            const closes = await phase('last');
            return { whileOpen, closes };
          }
        : undefined;
    const { wallMs, results, after: checks } = await runTogether(appendWorker, (i) => [method, mode, dir, String(perProcess), String(i), KEY], processes, { after });
    const afterClose = await verify(method, dir, processes, perProcess);
    const views = method === 'store' ? [checks.whileOpen.entries, checks.whileOpen.raw, afterClose.entries, afterClose.raw] : [afterClose.entries];
    return {
      loadAverage1m: loadavg()[0],
      wallMs,
      totalPerSec: ((processes * perProcess) / wallMs) * 1000,
      perProcessPerSec: results.map((r) => r.appendsPerSec),
      batches: results.map((r) => r.batches),
      cpuMsPerAppend: results.reduce((a, r) => a + r.cpuMs, 0) / (processes * perProcess),
      checks: method === 'store' ? { whileOpen: checks.whileOpen, afterClose, closeConflicts: checks.closes.reduce((a, c) => a + c.closeConflicts, 0), disposeMsMax: Math.max(...checks.closes.map((c) => c.disposeMs)) } : { afterClose },
      exact: views.every((v) => v.exact),
    };
  });
}

/** Store and SQLite, awaited and batched, at each process count; methods interleaved round by round. */
export async function logAppends({ processCounts, perProcess, repeats, log }) {
  const rows = [];
  for (const mode of ['awaited', 'batched']) {
    for (const processes of processCounts) {
      const runs = { store: [], sqlite: [] };
      for (let r = 0; r < repeats; r++) {
        for (const method of ['store', 'sqlite']) {
          const run = await appendRun(method, mode, processes, perProcess[mode]);
          runs[method].push(run);
          log(`log appends ${mode} ${method} ×${processes} #${r + 1}: ${round(run.totalPerSec)} appends/s in all, per process ${run.perProcessPerSec.map((x) => round(x)).join(', ')}, batches ${run.batches.join(', ')}, exact ${run.exact}`);
        }
      }
      const ratios = runs.store.map((s, r) => s.totalPerSec / runs.sqlite[r].totalPerSec);
      for (const method of ['store', 'sqlite']) {
        const list = runs[method];
        const perProc = list.flatMap((x) => x.perProcessPerSec);
        rows.push({
          method,
          mode,
          processes,
          perProcess: perProcess[mode],
          perProcessPerSecMedian: median(perProc),
          perProcessPerSecMin: Math.min(...perProc),
          perProcessPerSecMax: Math.max(...perProc),
          totalPerSecMedian: median(list.map((x) => x.totalPerSec)),
          cpuMsPerAppendMedian: median(list.map((x) => x.cpuMsPerAppend)),
          batchesMedian: median(list.flatMap((x) => x.batches)),
          allExact: list.every((x) => x.exact),
          ...(method === 'store' ? { vsSqliteByRound: ratios, vsSqliteMedian: median(ratios) } : {}),
          runs: list,
        });
      }
    }
  }
  return { processCounts, perProcess, repeats, rows };
}

/**
 * `writers` processes append `perWriter` events each at once; the first `folded` of them then close (their logs
 * are folded into the key's record), the others stay open (their logs live). While they are open, `runs` fresh
 * processes in turn open the log and read entries().
 */
export async function logEntries({ writers, folded, perWriter, runs, log }) {
  return inTempDir('bm-bench-log-entries-', async (dir) => {
    const total = writers * perWriter;
    const { after } = await runTogether(writerWorker, (i) => [dir, KEY, String(perWriter), String(i), i < folded ? 'dispose' : 'keep'], writers, {
      timeoutMs: 600_000,
      after: async (phase) => {
        const closes = await phase('close');
        const reads = [];
        for (let r = 0; r < runs; r++) {
          // Each reader appends one event and folds it in when it closes: later readers see one more.
          const { results } = await runTogether(readerWorker, () => ['entries', dir, KEY, String(total + r)], 1, 600_000);
          reads.push(results[0]);
          log(`log entries #${r + 1}: ${results[0].count} events, fresh open → entries() ${round(results[0].totalMs)} ms (constructor ${round(results[0].constructMs)}, log ${round(results[0].logMs)}, entries ${round(results[0].entriesMs)}; CPU ${round(results[0].openCpuMs)} ms), re-merge ${round(results[0].remergeMs)} ms`);
        }
        await phase('last');
        return { closes, reads };
      },
    });
    const reads = after.reads;
    const pick = (f) => median(reads.map((x) => x[f]));
    return {
      writers,
      folded,
      perWriter,
      total,
      runs: reads,
      foldDisposeMs: after.closes.filter((c) => c.disposed).map((c) => c.disposeMs),
      countsRight: reads.every((x, r) => x.count === total + r && x.remergeCount === total + r + 1),
      totalMsMedian: pick('totalMs'),
      totalMsMax: Math.max(...reads.map((x) => x.totalMs)),
      constructMsMedian: pick('constructMs'),
      logMsMedian: pick('logMs'),
      entriesMsMedian: pick('entriesMs'),
      openCpuMsMedian: pick('openCpuMs'),
      remergeMsMedian: pick('remergeMs'),
      remergeMsMax: Math.max(...reads.map((x) => x.remergeMs)),
      appendCallMsMedian: pick('appendCallMs'),
      cachedMsMedian: pick('cachedMs'),
      loadAverage1m: loadavg()[0],
    };
  });
}

/** One compaction: `writers` × `perWriter` events, a reader opens the log while they run, they exit without closing, the reader folds. */
async function foldRun(writers, perWriter) {
  return inTempDir('bm-bench-log-fold-', async (dir) => {
    let reader;
    try {
      await runTogether(writerWorker, (i) => [dir, KEY, String(perWriter), String(i), 'keep'], writers, {
        timeoutMs: 600_000,
        after: async (phase) => {
          // Opened while the writers run: opening folds gone writers' logs, and none is gone yet.
          reader = startWorker(readerWorker, ['fold', dir, KEY, String(writers * perWriter)]);
          await reader.next('ready', 600_000);
          await phase('last'); // the writers exit without closing: their logs stay, their writers are gone
        },
      });
      reader.send({ type: 'go' });
      const { result } = await reader.next('done', 600_000);
      await reader.exited();
      const kinds = (names) => {
        const out = {};
        for (const n of names) {
          const base = n.split('/').pop();
          const kind = /^v\d+\.json$/.test(base) ? 'record' : base === 'key.json' ? 'key.json' : /^l-.*\.log$/.test(base) ? 'log' : /^w-/.test(base) ? 'intent' : 'other';
          out[kind] = (out[kind] ?? 0) + 1;
        }
        return out;
      };
      return { ...result, loadAverage1m: loadavg()[0], kindsAfter: kinds(result.filesAfter.map((f) => f.name)), kindsAfterDispose: kinds(result.filesAfterDispose), kindsBefore: kinds(result.filesBefore) };
    } finally {
      reader?.stop();
    }
  });
}

export async function logCompaction({ writers, perWriter, repeats, log }) {
  const runs = [];
  for (let r = 0; r < repeats; r++) {
    const run = await foldRun(writers, perWriter);
    runs.push(run);
    log(`log compaction #${r + 1}: ${run.writersFolded} writers, ${run.eventsInRecord} events folded in ${round(run.foldMs)} ms (CPU ${round(run.foldCpuMs)} ms); files after: ${JSON.stringify(run.kindsAfter)}`);
  }
  const onlyRecords = (k) => Object.keys(k).every((kind) => kind === 'record' || kind === 'key.json');
  return {
    writers,
    perWriter,
    runs,
    foldMsMedian: median(runs.map((x) => x.foldMs)),
    foldCpuMsMedian: median(runs.map((x) => x.foldCpuMs)),
    allFolded: runs.every((x) => x.writersFolded === writers && x.eventsInRecord === writers * perWriter && x.entriesAfter === writers * perWriter),
    onlyRecordsLeft: runs.every((x) => onlyRecords(x.kindsAfter)),
  };
}

export async function logCompression({ sessions, perBatch, batches, log }) {
  const variants = [
    { name: 'plain' },
    { name: 'brotli quality 1', compression: { thresholdBytes: 32_768, quality: 1 } },
    { name: 'brotli quality 4', compression: { thresholdBytes: 32_768, quality: 4 } },
  ];
  return inTempDir('bm-bench-log-compression-', async (dir) => {
    const { results } = await runTogether(compressionWorker, () => [dir, String(sessions), String(perBatch), String(batches), JSON.stringify(variants.map((v, i) => ({ ...v, name: `v${i}`, label: v.name })))], 1, 600_000);
    const out = results[0];
    for (const v of out.variants) log(`log compression ${v.name}: ${v.fileBytes} bytes on disk (JSON ${v.jsonBytes}), update median ${round(v.updateMedianMs)} ms, read back equal ${v.readBackEqual}`);
    return { ...out, variants: out.variants.map((v, i) => ({ ...v, name: variants[i].name })), loadAverage1m: loadavg()[0] };
  });
}

/** The whole suite. */
export async function logSuite({ quick, log }) {
  const appends = await logAppends({ processCounts: [1, 4], perProcess: { awaited: quick ? 200 : 500, batched: quick ? 1000 : 3000 }, repeats: quick ? 1 : 5, log });
  const entries = await logEntries({ writers: 4, folded: 2, perWriter: 25_000, runs: quick ? 3 : 5, log });
  const compaction = await logCompaction({ writers: 4, perWriter: 25_000, repeats: quick ? 1 : 3, log });
  const compression = await logCompression({ sessions: 500, perBatch: 20, batches: quick ? 2 : 5, log });
  return { appends, entries, compaction, compression };
}
