// Bytes on disk and commit cost of a 500-session history record (the extension's HistoryRecord: `{schema, sessions,
// older}`, session summaries with UUID ids), plain and brotli-compressed (`compression: { thresholdBytes, quality }`).
// One process, one storage folder per variant; batches of `perBatch` timed updates (one session in, the oldest out)
// go round the variants in turn, so a busy minute on the shared machine hits them alike. Each variant's record is
// then read back by a second store instance (a fresh read from disk) and compared.
// argv: storage dir, sessions, perBatch, batches, variants (JSON: [{ name, compression? }]).
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sessionSummary } from '../lib/logData.mjs';
import { median } from '../lib/stats.mjs';
import { loadStore } from '../lib/store.mjs';
import { workerMain } from '../lib/worker.mjs';

const [dir, sessionsArg, perBatchArg, batchesArg, variantsArg] = process.argv.slice(2);
const sessions = Number(sessionsArg);
const KEY = 'bench.history';

/** The newest record file of the key (v<seq>.json in its generation folder) and its size. */
function newestRecord(storage) {
  const root = join(storage, 'records');
  const [keyFolder] = readdirSync(root);
  const gen = readdirSync(join(root, keyFolder)).find((n) => n.startsWith('g-'));
  const records = readdirSync(join(root, keyFolder, gen)).filter((n) => /^v\d+\.json$/.test(n)).sort();
  const name = records.at(-1);
  return { name, bytes: statSync(join(root, keyFolder, gen, name)).size };
}

workerMain(async () => {
  const { StorageWrapper } = loadStore();
  let next = sessions;
  const history = { schema: 1, sessions: Array.from({ length: sessions }, (_, i) => sessionSummary(i)), older: { sessions: 0, activeMs: 0, firstStartedAt: null } };
  // One session ends: it goes in, the oldest drops off the front into `older` (the extension's HISTORY_LIMIT rule).
  const addSession = (h) => {
    const [dropped, ...kept] = h.sessions;
    return {
      schema: 1,
      sessions: [...kept, sessionSummary(next++)],
      older: { sessions: h.older.sessions + 1, activeMs: h.older.activeMs + dropped.activeMs, firstStartedAt: h.older.firstStartedAt ?? dropped.startedAt },
    };
  };
  const variants = JSON.parse(variantsArg).map((v) => {
    const storage = join(dir, v.name);
    mkdirSync(storage, { recursive: true });
    const options = { watch: 'events', ...(v.compression ? { compression: v.compression } : {}) };
    return { ...v, storage, options, store: new StorageWrapper({ globalStoragePath: storage }, options), batchMedians: [] };
  });
  for (const v of variants) {
    await v.store.set(KEY, history);
    for (let i = 0; i < 10; i++) await v.store.update(KEY, addSession); // warm-up (JIT, caches)
    v.initial = newestRecord(v.storage);
  }
  return async () => {
    for (let b = 0; b < Number(batchesArg); b++) {
      for (const v of variants) {
        const times = [];
        for (let i = 0; i < Number(perBatchArg); i++) {
          const started = performance.now();
          await v.store.update(KEY, addSession);
          times.push(performance.now() - started);
        }
        v.batchMedians.push(median(times));
      }
    }
    const out = [];
    for (const v of variants) {
      const written = v.store.get(KEY).payload;
      await v.store.dispose();
      const reader = new StorageWrapper({ globalStoragePath: v.storage }, v.options);
      const readBack = reader.get(KEY).payload;
      await reader.dispose();
      out.push({
        name: v.name,
        compression: v.compression ?? null,
        jsonBytes: Buffer.byteLength(JSON.stringify(written)),
        fileBytes: newestRecord(v.storage).bytes,
        initialFileBytes: v.initial.bytes,
        sessions: written.sessions.length,
        readBackEqual: JSON.stringify(readBack) === JSON.stringify(written),
        batchMedians: v.batchMedians,
        updateMedianMs: median(v.batchMedians),
      });
    }
    return { sessions, perBatch: Number(perBatchArg), batches: Number(batchesArg), variants: out };
  };
});
