// Cost of update as the store grows, in one process (no contention): with more keys present, and with more past
// versions of the key. Each point: `batches` batches of `perBatch` timed sequential updates of one key.
// argv: kind (keys | history), storage dir, points (comma-separated), perBatch, batches.
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { median } from '../lib/stats.mjs';
import { loadStore } from '../lib/store.mjs';
import { workerMain } from '../lib/worker.mjs';

const [kind, dir, pointsArg, perBatchArg, batchesArg] = process.argv.slice(2);
const KEY = 'bench.grown';

/** Files in each key's folder (design.md: records/<slug>-<hash>/): the largest, and the total. */
function recordFiles() {
  const records = join(dir, 'measured', 'records');
  let largest = 0;
  let total = 0;
  for (const folder of readdirSync(records)) {
    const files = readdirSync(join(records, folder)).length;
    largest = Math.max(largest, files);
    total += files;
  }
  return { largestKeyFolder: largest, total };
}

workerMain(async () => {
  const { StorageWrapper } = loadStore();
  // Warm up (JIT, file system caches) in a folder of its own, so the first point is not charged for it and the
  // measured folder holds exactly the keys and versions reported.
  const warmUp = new StorageWrapper({ globalStoragePath: join(dir, 'warm-up') }, { watch: 'events' });
  for (let i = 0; i < 200; i++) await warmUp.update(KEY, (n) => n + 1, 0);
  warmUp.dispose();
  const storage = join(dir, 'measured');
  mkdirSync(storage);
  const store = new StorageWrapper({ globalStoragePath: storage }, { watch: 'events' });
  await store.set(KEY, 0);
  return async () => {
    const points = [];
    for (const target of pointsArg.split(',').map(Number)) {
      const growStarted = performance.now();
      if (kind === 'keys') {
        for (let i = store.keys().length; i < target; i++) await store.set(`bench.filler.${i}`, { i });
      } else {
        while (store.get(KEY, 0).version < target) await store.update(KEY, (n) => n + 1, 0);
      }
      const growMs = performance.now() - growStarted;
      const before = { keys: store.keys().length, version: store.get(KEY, 0).version, files: recordFiles() };
      const batchMedians = [];
      for (let b = 0; b < Number(batchesArg); b++) {
        const latencies = [];
        for (let i = 0; i < Number(perBatchArg); i++) {
          const started = performance.now();
          await store.update(KEY, (n) => n + 1, 0);
          latencies.push(performance.now() - started);
        }
        batchMedians.push(median(latencies));
      }
      points.push({ target, growMs, keys: before.keys, priorVersions: before.version, batchMedians, medianMs: median(batchMedians), filesBefore: before.files, filesAfter: recordFiles() });
    }
    store.dispose();
    return { kind, points };
  };
});
