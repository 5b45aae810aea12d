// One process of the log suite's append runs: `count` durable appends to ONE shared log, by the store
// (`store.log(key).append(id, data)`) or by SQLite (an INSERT per transaction). argv: method (store | sqlite),
// mode (awaited: each append awaited before the next, as a caller that needs each durable before going on;
// batched: all issued at once and awaited together — the store writes what queued up meanwhile as one batch;
// SQLite commits each insert on its own either way), storage dir, count, worker index, key.
// Ids are `w<index>-<i>` (and `w<index>-warm`, appended before the release), so a fresh process can check that
// every one is there exactly once.
import { join } from 'node:path';
import { sessionSummary, sqliteLog } from '../lib/logData.mjs';
import { loadStore } from '../lib/store.mjs';
import { workerMain } from '../lib/worker.mjs';

const [method, mode, dir, countArg, index, key] = process.argv.slice(2);
const count = Number(countArg);

workerMain(async () => {
  // Made before 'ready': generating the data is not part of the appends.
  const events = Array.from({ length: count }, (_, i) => ({ id: `w${index}-${i}`, data: sessionSummary(Number(index) * count + i) }));
  if (method === 'store') {
    const { StorageWrapper } = loadStore();
    // Default options (watch 'auto'): every process also reads the others' appends as they land.
    const store = new StorageWrapper({ globalStoragePath: dir }, { clientId: `bench-${index}` });
    const log = store.log(key);
    log.entries();
    // One append before 'ready': it creates this process's log file (and flushes the folder), which a window does
    // once in its life; the timed appends are the steady state.
    await log.append(`w${index}-warm`, sessionSummary(1_000_000 + Number(index)));
    return {
      run: async () => {
        const started = performance.now();
        // Batches seen by the caller: the promises of one written batch resolve in one macrotask.
        let batches = 0;
        let inBatch = false;
        const batchAtMs = []; // when each batch resolved, from the start (the first few only)
        const seen = () => {
          if (inBatch) return;
          batches += 1;
          if (batchAtMs.length < 10) batchAtMs.push(performance.now() - started);
          inBatch = true;
          setImmediate(() => (inBatch = false));
        };
        if (mode === 'awaited') {
          for (const e of events) {
            await log.append(e.id, e.data);
            seen();
          }
        } else {
          await Promise.all(events.map((e) => log.append(e.id, e.data).then(seen)));
        }
        const ms = performance.now() - started;
        return { ms, appendsPerSec: (count / ms) * 1000, batches, batchAtMs, entriesSeen: log.entries().length };
      },
      phases: {
        // Closing folds this process's log into the key's record (one compare-and-set): timed apart.
        last: async () => {
          const before = store.getMetrics();
          const started = performance.now();
          await store.dispose();
          const after = store.getMetrics();
          return { disposeMs: performance.now() - started, closeConflicts: after.conflicts - before.conflicts };
        },
      },
    };
  }
  if (method === 'sqlite') {
    const db = sqliteLog(join(dir, 'log.db'));
    db.append(`w${index}-warm`, `w${index}`, sessionSummary(1_000_000 + Number(index))); // as for the store
    return async () => {
      const started = performance.now();
      // better-sqlite3 is synchronous: each insert is durable when the call returns, awaited or not.
      if (mode === 'awaited') for (const e of events) await db.append(e.id, `w${index}`, e.data);
      else for (const e of events) db.append(e.id, `w${index}`, e.data);
      const ms = performance.now() - started;
      db.close();
      return { ms, appendsPerSec: (count / ms) * 1000, batches: count };
    };
  }
  throw new Error(`unknown method ${method}`);
});
