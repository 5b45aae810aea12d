// A fresh process reading a log that several writers filled (the entries() runs), or folding it (compaction).
// argv: mode, storage dir, key, expected events.
//   entries:  timed from the store's constructor to entries() returned (each part apart), with this process's CPU
//             time; then one append and the entries() call after it (the re-merge), and a cached call.
//   fold:     the log is opened (and read) while its writers still run; once they are gone, `await log.fold()` is
//             timed, and the files left in the key's folder listed.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sessionSummary } from '../lib/logData.mjs';
import { loadStore } from '../lib/store.mjs';
import { workerMain } from '../lib/worker.mjs';

const [mode, dir, key, expectedArg] = process.argv.slice(2);
const expected = Number(expectedArg);

/** Every file under the storage folder's records/ (relative paths), with sizes. */
function keyFiles() {
  const root = join(dir, 'records');
  const files = [];
  const walk = (at, rel) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path, `${rel}${name}/`);
      else files.push({ name: `${rel}${name}`, bytes: st.size });
    }
  };
  walk(root, '');
  return files;
}

const cpuMs = (since) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

workerMain(async () => {
  const { StorageWrapper } = loadStore();
  if (mode === 'entries') {
    return async () => {
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      const store = new StorageWrapper({ globalStoragePath: dir }, { clientId: 'bench-reader' });
      const t1 = performance.now();
      const log = store.log(key);
      const t2 = performance.now();
      const entries = log.entries();
      const t3 = performance.now();
      const openCpuMs = cpuMs(cpu);
      // One new event: the next entries() merges every writer's events again.
      const s = sessionSummary(expected + 1);
      const a0 = performance.now();
      const appended = log.append(s.id, s);
      const a1 = performance.now();
      const after = log.entries();
      const a2 = performance.now();
      log.entries();
      const a3 = performance.now();
      await appended;
      const d0 = performance.now();
      await store.dispose(); // folds this reader's one event into the record
      const records = keyFiles().filter((f) => /\/v\d+\.json$/.test(f.name));
      return {
        recordBytes: records.at(-1)?.bytes,
        constructMs: t1 - t0,
        logMs: t2 - t1,
        entriesMs: t3 - t2,
        totalMs: t3 - t0,
        openCpuMs,
        count: entries.length,
        appendCallMs: a1 - a0,
        remergeMs: a2 - a1,
        remergeCount: after.length,
        cachedMs: a3 - a2,
        disposeMs: performance.now() - d0,
      };
    };
  }
  if (mode === 'fold') {
    const store = new StorageWrapper({ globalStoragePath: dir }, { clientId: 'bench-folder' });
    const log = store.log(key);
    const before = log.entries().length;
    const filesBefore = keyFiles();
    return async () => {
      const cpu = process.cpuUsage();
      const started = performance.now();
      const folded = await log.fold();
      const foldMs = performance.now() - started;
      const foldCpuMs = cpuMs(cpu);
      const record = store.get(key);
      const files = keyFiles();
      const after = log.entries().length;
      await store.dispose();
      return {
        foldMs,
        foldCpuMs,
        writersFolded: folded,
        entriesBefore: before,
        entriesAfter: after,
        eventsInRecord: record.payload?.events?.length ?? 0,
        recordVersion: record.version,
        filesBefore: filesBefore.map((f) => f.name),
        filesAfter: files,
        filesAfterDispose: keyFiles().map((f) => f.name),
      };
    };
  }
  throw new Error(`unknown mode ${mode}`);
});
