// One "window" of the contention benchmark: `count` increments of one shared counter, by one of the methods.
// argv: method (store | sqlite | lmdb | lockfile | naive), storage dir, count, worker index, store key,
// proper-lockfile options (JSON).
import { join } from 'node:path';
import { lmdbCounter, lockedIncrement, naiveIncrement, sqliteCounter } from '../lib/baselines.mjs';
import { loadStore } from '../lib/store.mjs';
import { workerMain } from '../lib/worker.mjs';

const [method, dir, countArg, index, key, lockfileOptions = '{}'] = process.argv.slice(2);
const count = Number(countArg);

workerMain(async () => {
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
      return { commits: count };
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
      return { commits: count - failures, failures };
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
