// One "window" of the contention benchmark: `count` increments of one shared counter, by one of the methods.
// argv: method (store | counter | sqlite | lmdb | lockfile | naive), storage dir, count, worker index, store key,
// proper-lockfile options (JSON), total expected over all workers (counter only).
// `conflicts`: compare-and-set attempts lost and redone (store, counter); 0 for the methods that wait for a lock
// instead (nothing is redone); absent for naive, which does not notice them (it loses updates instead).
import { join } from 'node:path';
import { lmdbCounter, lockedIncrement, naiveIncrement, sqliteCounter } from '../lib/baselines.mjs';
import { loadStore } from '../lib/store.mjs';
import { workerMain } from '../lib/worker.mjs';

const [method, dir, countArg, index, key, lockfileOptions = '{}', totalArg = '0'] = process.argv.slice(2);
const count = Number(countArg);
const total = Number(totalArg);

/** Waits (polling every millisecond, up to `ms`) until `read()` is `expected`; says what it saw and when. */
async function settle(read, expected, ms) {
  const started = performance.now();
  let value = read();
  while (value !== expected && performance.now() - started < ms) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    value = read();
  }
  return { value, settleMs: performance.now() - started };
}

workerMain(async () => {
  if (method === 'counter') {
    const { StorageWrapper } = loadStore();
    // Default options, as for 'store'. Same loop as the others: one awaited add after another.
    const store = new StorageWrapper({ globalStoragePath: dir }, { clientId: `bench-${index}` });
    const counter = store.counter(key);
    counter.value();
    let addMetrics;
    return {
      run: async () => {
        for (let i = 0; i < count; i++) await counter.add(1);
        addMetrics = store.getMetrics();
        return { commits: addMetrics.commits, conflicts: addMetrics.conflicts, retries: addMetrics.retries, failures: addMetrics.conflictErrors };
      },
      phases: {
        // Once every process is done: this one's value must reach the total (other windows' contributions arrive
        // through file events, so allow it a few seconds; what it shows then is reported, right or not).
        value: () => settle(() => counter.value(), total, 5000),
        // Closing folds this window's contribution into the key's record (a compare-and-set): not in the wall time,
        // reported on its own.
        last: async () => {
          const started = performance.now();
          await store.dispose();
          const m = store.getMetrics();
          return { disposeMs: performance.now() - started, closeConflicts: m.conflicts - addMetrics.conflicts, closeConflictErrors: m.conflictErrors - addMetrics.conflictErrors };
        },
      },
    };
  }
  if (method === 'store') {
    const { StorageWrapper, ConflictError } = loadStore();
    // Default options (watch 'auto'): what every window of a user gets, change feed included.
    const store = new StorageWrapper({ globalStoragePath: dir }, { clientId: `bench-${index}` });
    store.get(key, 0);
    return async () => {
      let failures = 0;
      for (let i = 0; i < count; i++) {
        try {
          await store.update(key, (n) => n + 1, 0);
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
          failures += 1; // retries exhausted, nothing written
        }
      }
      const { commits, conflicts, retries } = store.getMetrics();
      store.dispose();
      return { commits, conflicts, retries, failures };
    };
  }
  if (method === 'sqlite' || method === 'lmdb') {
    const counter = method === 'sqlite' ? sqliteCounter(join(dir, 'counter.db')) : lmdbCounter(join(dir, 'counter.lmdb'));
    return async () => {
      for (let i = 0; i < count; i++) await counter.increment();
      counter.close();
      return { commits: count, conflicts: 0 }; // one writer at a time, by a lock: nothing is ever redone
    };
  }
  const file = join(dir, 'counter.json');
  if (method === 'lockfile') {
    const options = JSON.parse(lockfileOptions);
    return async () => {
      let failures = 0;
      for (let i = 0; i < count; i++) {
        try {
          await lockedIncrement(file, options);
        } catch (error) {
          if (error?.code !== 'ELOCKED') throw error;
          failures += 1; // gave up waiting for the lock: nothing written
        }
      }
      return { commits: count - failures, failures, conflicts: 0 }; // waits for the lock: nothing is redone
    };
  }
  if (method === 'naive') {
    return async () => {
      let tornReads = 0;
      let resets = 0;
      for (let i = 0; i < count; i++) {
        const outcome = await naiveIncrement(file);
        tornReads += outcome.tornReads;
        resets += outcome.resets;
      }
      return { commits: count, tornReads, resets };
    };
  }
  throw new Error(`unknown method ${method}`);
});
