// Contended increments: N processes, each doing `perProcess` increments of ONE shared counter, released together.
// The store (its compare-and-set path, `update`, and its convergent counter, `counter(key).add`) against SQLite,
// LMDB, proper-lockfile + write-file-atomic, and naive read-modify-write.
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCKFILE_CANDIDATES, lmdbCounter, readCounter, sqliteCounter, writeInitialCounter } from '../lib/baselines.mjs';
import { summarizeCpuProfile } from '../lib/cpuProfile.mjs';
import { runTogether } from '../lib/processes.mjs';
import { median, round } from '../lib/stats.mjs';
import { loadStore } from '../lib/store.mjs';

const worker = fileURLToPath(new URL('../workers/increment.mjs', import.meta.url));
const counterReader = fileURLToPath(new URL('../workers/counter-value.mjs', import.meta.url));
const KEY = 'bench.counter';
export const METHODS = ['store', 'counter', 'sqlite', 'lmdb', 'lockfile', 'naive'];

/** A fresh process's view of the convergent counter (see workers/counter-value.mjs). */
async function freshCounterValue(dir) {
  const { results } = await runTogether(counterReader, () => [dir, KEY], 1);
  return results[0];
}

/**
 * The convergent counter's checks, once every process is done: each process's own value (given up to 5 s for the
 * others' last contributions to arrive), a fresh process's while they are still open, then each closes (folding its
 * contribution into the key's record) and another fresh process reads what they left.
 */
function counterChecks(dir) {
  return async (phase) => {
    const values = await phase('value');
    const freshWhileOpen = await freshCounterValue(dir);
    const closes = await phase('last');
    return { values, freshWhileOpen, closes };
  };
}

async function finalOf(method, dir) {
  if (method === 'sqlite' || method === 'lmdb') {
    const counter = method === 'sqlite' ? sqliteCounter(join(dir, 'counter.db')) : lmdbCounter(join(dir, 'counter.lmdb'));
    try {
      return { value: counter.value(), version: null };
    } finally {
      counter.close();
    }
  }
  if (method !== 'store') return { value: await readCounter(join(dir, 'counter.json')), version: null };
  const { StorageWrapper } = loadStore();
  const store = new StorageWrapper({ globalStoragePath: dir }, { watch: 'poll' });
  try {
    const record = store.get(KEY, 0);
    return { value: record.payload, version: record.version };
  } finally {
    store.dispose();
  }
}

async function runOnce(method, processes, perProcess, lockfileOptions, execArgvFor = undefined) {
  const dir = mkdtempSync(join(tmpdir(), `bm-bench-${method}-`));
  let keep = false;
  try {
    if (method === 'lockfile' || method === 'naive') await writeInitialCounter(join(dir, 'counter.json'));
    if (method === 'sqlite') sqliteCounter(join(dir, 'counter.db')).close(); // the table, before the release
    const total = processes * perProcess;
    const args = (i) => [method, dir, String(perProcess), String(i), KEY, JSON.stringify(lockfileOptions), String(total)];
    const after = method === 'counter' ? counterChecks(dir) : undefined;
    const { wallMs, results, after: checks } = await runTogether(worker, args, processes, { after, execArgvFor });
    const sum = (field) => (results.every((r) => typeof r[field] === 'number') ? results.reduce((a, r) => a + r[field], 0) : null);
    let final;
    let counter;
    if (method === 'counter') {
      const freshAfterClose = await freshCounterValue(dir);
      const mismatches = checks.values.filter((v) => v.value !== total).length + [checks.freshWhileOpen, freshAfterClose].filter((f) => f.value !== total).length;
      counter = {
        // Every process's value once all were done, and how long it took to show the total.
        processValues: checks.values.map((v) => v.value),
        settleMsMax: Math.max(...checks.values.map((v) => v.settleMs)),
        freshWhileOpen: checks.freshWhileOpen.value,
        freshAfterClose: freshAfterClose.value,
        // Processes + the two fresh ones whose value was not the total: each one a failure.
        mismatches,
        // Closing folds each process's contribution into the record by compare-and-set (not in the wall time).
        closeConflicts: checks.closes.reduce((a, c) => a + c.closeConflicts, 0) + checks.freshWhileOpen.conflicts + freshAfterClose.conflicts,
        closeConflictErrors: checks.closes.reduce((a, c) => a + c.closeConflictErrors, 0),
        disposeMsMax: Math.max(...checks.closes.map((c) => c.disposeMs)),
      };
      // 'lost' for the counter: how far the furthest-off view is from the total.
      const worst = [...checks.values.map((v) => v.value), checks.freshWhileOpen.value, freshAfterClose.value].reduce((a, v) => (Math.abs(total - v) > Math.abs(total - a) ? v : a), total);
      final = { value: worst, version: null };
    } else {
      final = await finalOf(method, dir);
    }
    // A store run that is not exact is a bug: keep its folder (the surviving versions) for whoever investigates.
    keep = (method === 'store' && (final.value !== total || final.version !== total)) || (method === 'counter' && counter.mismatches > 0);
    const conflicts = sum('conflicts');
    return {
      ...(counter ? { counter } : {}),
      keptFolder: keep ? dir : undefined,
      loadAverage1m: loadavg()[0], // how busy the shared machine was, to judge outliers
      wallMs,
      updatesPerSec: (total / wallMs) * 1000,
      expected: total,
      finalValue: final.value,
      finalVersion: final.version,
      lost: total - final.value,
      workers: execArgvFor ? results : undefined, // each worker's own figures, when one was profiled
      conflicts,
      conflictsPer1000: conflicts === null ? null : (conflicts / total) * 1000,
      retries: sum('retries'),
      conflictErrors: sum('failures'),
      cpuMsPerUpdate: sum('cpuMs') / total,
      tornReads: sum('tornReads'),
      resets: sum('resets'),
    };
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** Measures each proper-lockfile candidate at `processes` and returns the fastest, so the baseline is its best. */
export async function tuneLockfile({ processes, perProcess, repeats, log }) {
  const tried = [];
  for (const options of LOCKFILE_CANDIDATES) {
    const rates = [];
    for (let r = 0; r < repeats; r++) rates.push((await runOnce('lockfile', processes, perProcess, options)).updatesPerSec);
    tried.push({ options, processes, perProcess, updatesPerSecMedian: median(rates), runs: rates });
    log(`lockfile tuning ${JSON.stringify(options.retries)}: ${round(median(rates))} updates/s`);
  }
  const best = tried.reduce((a, b) => (b.updatesPerSecMedian > a.updatesPerSecMedian ? b : a));
  return { chosen: best.options, tried };
}

/** Methods are interleaved round by round so that a noisy minute on the shared machine hits all of them alike. */
export async function contention({ processCounts, perProcess, repeats, lockfileOptions, log, methods = METHODS }) {
  const rows = [];
  for (const processes of processCounts) {
    const runs = Object.fromEntries(methods.map((m) => [m, []]));
    for (let r = 0; r < repeats; r++) {
      for (const method of methods) {
        const run = await runOnce(method, processes, perProcess, lockfileOptions);
        runs[method].push(run);
        log(`contention ${method} ×${processes} #${r + 1}: ${round(run.updatesPerSec)} updates/s, final ${run.finalValue}/${run.expected}, conflicts ${run.conflicts}${run.counter ? `, mismatches ${run.counter.mismatches}, close conflicts ${run.counter.closeConflicts}` : ''}`);
      }
    }
    // store ÷ another method within each round: both measured a few seconds apart, under the same load.
    const byRound = (other, of = 'store') => (runs[of] && runs[other] ? runs[of].map((s, r) => s.updatesPerSec / runs[other][r].updatesPerSec) : []);
    const storeVsLockfileByRound = byRound('lockfile');
    for (const method of methods) {
      const list = runs[method];
      const pick = (f) => (list.some((x) => x[f] === null) ? null : median(list.map((x) => x[f])));
      rows.push({
        method,
        processes,
        perProcess,
        updatesPerSecMedian: median(list.map((x) => x.updatesPerSec)),
        conflictsMedian: pick('conflicts'),
        conflictsPer1000Median: pick('conflictsPer1000'),
        conflictsTotal: list.some((x) => x.conflicts === null) ? null : list.reduce((a, x) => a + x.conflicts, 0),
        retriesMedian: pick('retries'),
        conflictErrorsTotal: list.some((x) => x.conflictErrors === null) ? null : list.reduce((a, x) => a + x.conflictErrors, 0),
        tornReadsMedian: pick('tornReads'),
        resetsTotal: list.some((x) => x.resets === null) ? null : list.reduce((a, x) => a + x.resets, 0),
        cpuMsPerUpdateMedian: median(list.map((x) => x.cpuMsPerUpdate)),
        lostMedian: median(list.map((x) => x.lost)),
        lostMax: Math.max(...list.map((x) => x.lost)),
        allExact: list.every((x) => x.lost === 0 && (x.finalVersion === null || x.finalVersion === x.expected) && (x.counter === undefined || x.counter.mismatches === 0)),
        ...(method === 'store'
          ? {
              vsLockfileByRound: storeVsLockfileByRound,
              vsLockfileMedian: median(storeVsLockfileByRound),
              vsSqliteByRound: byRound('sqlite'),
              vsSqliteMedian: median(byRound('sqlite')),
              vsLmdbByRound: byRound('lmdb'),
              vsLmdbMedian: median(byRound('lmdb')),
            }
          : {}),
        ...(method === 'counter'
          ? {
              vsSqliteByRound: byRound('sqlite', 'counter'),
              vsSqliteMedian: median(byRound('sqlite', 'counter')),
              vsLmdbByRound: byRound('lmdb', 'counter'),
              vsLmdbMedian: median(byRound('lmdb', 'counter')),
              vsStoreByRound: byRound('store', 'counter'),
              vsStoreMedian: median(byRound('store', 'counter')),
              mismatchesTotal: list.reduce((a, x) => a + x.counter.mismatches, 0),
              closeConflictsTotal: list.reduce((a, x) => a + x.counter.closeConflicts, 0),
              settleMsMax: Math.max(...list.map((x) => x.counter.settleMsMax)),
            }
          : {}),
        runs: list,
      });
    }
  }
  return { perProcess, repeats, lockfileOptions, rows };
}

/** What the profiled worker's time was for: the function names are the store's (its bundle keeps them). */
const PROFILE_PATHS = [
  ['waiting (idle: fsync in the thread pool, file events, timers)', /^\(idle\)$/],
  ["file events: other windows' writes (re-reading the key's record head, and their contributions)", /^onFolderChange$/],
  ["this window's adds (encode + checksum, open/write/fdatasync/close)", /^(writeSlot|encodeSlot|flush|change|add)$/],
  ['compare-and-set updates (update, commit)', /^(attempts|commit|enqueue|update)$/],
  ['garbage collector', /^\(garbage collector\)$/],
  ['native, unattributed ((program))', /^\(program\)$/],
];

/**
 * One run of `method` at `processes` with worker 0 under `node --cpu-prof`: its self time per function over the
 * measured stretch (release → its last increment), to show where the time goes when a goal is not met.
 */
export async function profileRun({ method, processes, perProcess, lockfileOptions = {}, intervalUs = 200, keepIn = undefined, log }) {
  const profDir = mkdtempSync(join(tmpdir(), 'bm-bench-prof-'));
  try {
    const execArgvFor = (i) => (i === 0 ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-interval=${intervalUs}`] : process.execArgv);
    const run = await runOnce(method, processes, perProcess, lockfileOptions, execArgvFor);
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no CPU profile written in ${profDir}`);
    const w = run.workers[0];
    const summary = summarizeCpuProfile(join(profDir, file), { fromUs: w.monoStartUs, toUs: w.monoEndUs, paths: PROFILE_PATHS });
    if (keepIn) copyFileSync(join(profDir, file), join(keepIn, `${method}-${processes}.cpuprofile`)); // for DevTools
    log(`profile ${method} ×${processes}: ${round(run.updatesPerSec)} updates/s; worker 0 sampled ${round(summary.sampledMs)} ms, idle ${round(summary.groups.idle.share * 100)}%`);
    // The per-worker figures stay out of the results (worker 0's are summarised below).
    const { workers: _workers, ...rest } = run;
    return { method, processes, perProcess, intervalUs, run: rest, worker0: { cpuMs: w.cpuMs, wallMs: (w.monoEndUs - w.monoStartUs) / 1000, updates: perProcess }, ...summary };
  } finally {
    rmSync(profDir, { recursive: true, force: true });
  }
}
