// A fresh process checking a log after the append runs: every id `w<i>-<n>` (i < writers, n < perWriter) and
// `w<i>-warm` present exactly once, nothing else. argv: method (store | sqlite), storage dir, key, writers, perWriter.
// For the store: what `entries()` gives (which counts an id once by design), and, beneath it, the raw events — in the
// key's record (folded logs) and in the logs not folded yet — so an event stored twice shows even if entries() hides it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sqliteLog } from '../lib/logData.mjs';
import { loadStore } from '../lib/store.mjs';
import { workerMain } from '../lib/worker.mjs';

const [method, dir, key, writersArg, perWriterArg] = process.argv.slice(2);
const writers = Number(writersArg);
const perWriter = Number(perWriterArg);

/** Compares ids seen (with repeats) with the expected ones. */
function judge(ids) {
  const counts = new Map();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  const expected = new Set();
  for (let w = 0; w < writers; w++) {
    expected.add(`w${w}-warm`);
    for (let n = 0; n < perWriter; n++) expected.add(`w${w}-${n}`);
  }
  const missing = [...expected].filter((id) => !counts.has(id)).length;
  const twice = [...counts.values()].filter((c) => c > 1).length;
  const unknown = [...counts.keys()].filter((id) => !expected.has(id)).length;
  return { seen: ids.length, expected: expected.size, missing, twice, unknown, exact: missing === 0 && twice === 0 && unknown === 0 && ids.length === expected.size };
}

/** Raw lines of every log file in the key's folder whose writer is not folded into the record. */
function rawLogIds(folded) {
  const root = join(dir, 'records');
  const ids = [];
  for (const keyFolder of readdirSync(root)) {
    for (const gen of readdirSync(join(root, keyFolder)).filter((n) => n.startsWith('g-'))) {
      for (const name of readdirSync(join(root, keyFolder, gen))) {
        const writer = /^l-(.+)\.log$/.exec(name)?.[1];
        if (writer === undefined || Object.hasOwn(folded, writer)) continue;
        for (const line of readFileSync(join(root, keyFolder, gen, name), 'utf8').split('\n')) {
          const tab = line.lastIndexOf('\t');
          if (tab > 0) ids.push(JSON.parse(line.slice(0, tab)).id);
        }
      }
    }
  }
  return ids;
}

workerMain(async () => {
  return async () => {
    if (method === 'sqlite') {
      const db = sqliteLog(join(dir, 'log.db'));
      const ids = db.idCounts().flatMap((r) => Array(r.n).fill(r.id));
      db.close();
      return { entries: judge(ids) };
    }
    const { StorageWrapper } = loadStore();
    const store = new StorageWrapper({ globalStoragePath: dir }, { clientId: 'bench-verify', watch: 'poll' });
    const entries = store.log(key).entries().map((e) => e.id);
    const snapshot = store.get(key).payload ?? { events: [], folded: {} };
    const raw = [...snapshot.events.map((e) => e.id), ...rawLogIds(snapshot.folded)];
    await store.dispose();
    return { entries: judge(entries), raw: judge(raw), foldedWriters: Object.keys(snapshot.folded).length };
  };
});
