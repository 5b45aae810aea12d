// Cost of update as the store grows, in one process (no contention): with more keys present, and with more past
// versions of the key. Each point is a storage folder of its own, grown first; then batches of `perBatch` timed
// sequential updates of one key go round the points in turn, so a busy minute on the shared machine hits every
// point alike instead of whichever happened to be measured then.
// argv: kind (keys | history), storage dir, points (comma-separated), perBatch, batches.
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { median } from '../lib/stats.mjs';
import { loadStore } from '../lib/store.mjs';
import { workerMain } from '../lib/worker.mjs';

const [kind, dir, pointsArg, perBatchArg, batchesArg] = process.argv.slice(2);
const KEY = 'bench.grown';

/** Files of each key (design.md: its intents in records/<slug>-<hash>/, its records in g-<gen>/): the largest, and the total. */
function recordFiles(storage) {
  const records = join(storage, 'records');
  let largest = 0;
  let total = 0;
  for (const folder of readdirSync(records)) {
    const entries = readdirSync(join(records, folder));
    const gens = entries.filter((n) => n.startsWith('g-'));
    const files = entries.length - gens.length + gens.reduce((n, g) => n + readdirSync(join(records, folder, g)).length, 0);
    largest = Math.max(largest, files);
    total += files;
  }
  return { largestKeyFolder: largest, total };
}

workerMain(async () => {
  const { StorageWrapper } = loadStore();
  const open = (name) => {
    const storage = join(dir, name);
    mkdirSync(storage, { recursive: true });
    return { storage, store: new StorageWrapper({ globalStoragePath: storage }, { watch: 'events' }) };
  };
  // Warm up (JIT, file system caches) in a folder of its own, so no point is charged for it.
  const warmUp = open('warm-up');
  for (let i = 0; i < 200; i++) await warmUp.store.update(KEY, (n) => n + 1, 0);
  warmUp.store.dispose();

  return async () => {
    const points = [];
    for (const target of pointsArg.split(',').map(Number)) {
      const { storage, store } = open(`${kind}-${target}`);
      await store.set(KEY, 0);
      const growStarted = performance.now();
      if (kind === 'keys') {
        for (let i = store.keys().length; i < target; i++) await store.set(`bench.filler.${i}`, { i });
      } else {
        while (store.get(KEY, 0).version < target) await store.update(KEY, (n) => n + 1, 0);
      }
      const growMs = performance.now() - growStarted;
      points.push({ target, storage, store, growMs, keys: store.keys().length, priorVersions: store.get(KEY, 0).version, filesBefore: recordFiles(storage), batchMedians: [] });
    }
    for (let b = 0; b < Number(batchesArg); b++) {
      for (const point of points) {
        const latencies = [];
        for (let i = 0; i < Number(perBatchArg); i++) {
          const started = performance.now();
          await point.store.update(KEY, (n) => n + 1, 0);
          latencies.push(performance.now() - started);
        }
        point.batchMedians.push(median(latencies));
      }
    }
    return {
      kind,
      points: points.map(({ store, storage, ...point }) => {
        store.dispose();
        return { ...point, medianMs: median(point.batchMedians), filesAfter: recordFiles(storage) };
      }),
    };
  };
});
