// Contended increments: N processes, each doing `perProcess` increments of ONE shared counter, released together.
// The store against SQLite, LMDB, proper-lockfile + write-file-atomic, and naive read-modify-write.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCKFILE_CANDIDATES, lmdbCounter, readCounter, sqliteCounter, writeInitialCounter } from '../lib/baselines.mjs';
import { runTogether } from '../lib/processes.mjs';
import { median, round } from '../lib/stats.mjs';
import { loadStore } from '../lib/store.mjs';

const worker = fileURLToPath(new URL('../workers/increment.mjs', import.meta.url));
const KEY = 'bench.counter';
export const METHODS = ['store', 'sqlite', 'lmdb', 'lockfile', 'naive'];

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

async function runOnce(method, processes, perProcess, lockfileOptions) {
  const dir = mkdtempSync(join(tmpdir(), `bm-bench-${method}-`));
  let keep = false;
  try {
    if (method === 'lockfile' || method === 'naive') await writeInitialCounter(join(dir, 'counter.json'));
    if (method === 'sqlite') sqliteCounter(join(dir, 'counter.db')).close(); // the table, before the release
    const args = (i) => [method, dir, String(perProcess), String(i), KEY, JSON.stringify(lockfileOptions)];
    const { wallMs, results } = await runTogether(worker, args, processes);
    const sum = (field) => (results.every((r) => typeof r[field] === 'number') ? results.reduce((a, r) => a + r[field], 0) : null);
    const total = processes * perProcess;
    const final = await finalOf(method, dir);
    // A store run that is not exact is a bug: keep its folder (the surviving versions) for whoever investigates.
    keep = method === 'store' && (final.value !== total || final.version !== total);
    return {
      keptFolder: keep ? dir : undefined,
      loadAverage1m: loadavg()[0], // how busy the shared machine was, to judge outliers
      wallMs,
      updatesPerSec: (total / wallMs) * 1000,
      expected: total,
      finalValue: final.value,
      finalVersion: final.version,
      lost: total - final.value,
      conflicts: sum('conflicts'),
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
export async function contention({ processCounts, perProcess, repeats, lockfileOptions, log }) {
  const rows = [];
  for (const processes of processCounts) {
    const runs = Object.fromEntries(METHODS.map((m) => [m, []]));
    for (let r = 0; r < repeats; r++) {
      for (const method of METHODS) {
        const run = await runOnce(method, processes, perProcess, lockfileOptions);
        runs[method].push(run);
        log(`contention ${method} ×${processes} #${r + 1}: ${round(run.updatesPerSec)} updates/s, final ${run.finalValue}/${run.expected}`);
      }
    }
    // store ÷ another method within each round: both measured a few seconds apart, under the same load.
    const byRound = (other) => runs.store.map((s, r) => s.updatesPerSec / runs[other][r].updatesPerSec);
    const storeVsLockfileByRound = byRound('lockfile');
    for (const method of METHODS) {
      const list = runs[method];
      const pick = (f) => (list.some((x) => x[f] === null) ? null : median(list.map((x) => x[f])));
      rows.push({
        method,
        processes,
        perProcess,
        updatesPerSecMedian: median(list.map((x) => x.updatesPerSec)),
        conflictsMedian: pick('conflicts'),
        retriesMedian: pick('retries'),
        conflictErrorsTotal: list.some((x) => x.conflictErrors === null) ? null : list.reduce((a, x) => a + x.conflictErrors, 0),
        tornReadsMedian: pick('tornReads'),
        resetsTotal: list.some((x) => x.resets === null) ? null : list.reduce((a, x) => a + x.resets, 0),
        cpuMsPerUpdateMedian: median(list.map((x) => x.cpuMsPerUpdate)),
        lostMedian: median(list.map((x) => x.lost)),
        lostMax: Math.max(...list.map((x) => x.lost)),
        allExact: list.every((x) => x.lost === 0 && (x.finalVersion === null || x.finalVersion === x.expected)),
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
        runs: list,
      });
    }
  }
  return { perProcess, repeats, lockfileOptions, rows };
}
