// A writer that fills a log for the entries() and compaction runs: `count` session summaries appended to `key`
// (issued together, so the store writes them in a few batches), then it waits. argv: storage dir, key, count, index.
// Phases (once every writer is done): 'close' — dispose the store, which folds this writer's log into the key's
// record, or nothing with `keep`; 'last' — exit WITHOUT disposing (a log not folded yet stays: its writer is gone).
import { loadStore } from '../lib/store.mjs';
import { sessionSummary } from '../lib/logData.mjs';
import { workerMain } from '../lib/worker.mjs';

const [dir, key, countArg, index, close] = process.argv.slice(2);
const count = Number(countArg);

workerMain(async () => {
  const { StorageWrapper } = loadStore();
  const store = new StorageWrapper({ globalStoragePath: dir }, { clientId: `bench-writer-${index}` });
  const log = store.log(key);
  const events = Array.from({ length: count }, (_, i) => sessionSummary(Number(index) * count + i));
  return {
    run: async () => {
      await Promise.all(events.map((s) => log.append(s.id, s)));
      return { appended: count };
    },
    phases: {
      close: async () => {
        if (close !== 'dispose') return { disposed: false };
        const started = performance.now();
        await store.dispose();
        return { disposed: true, disposeMs: performance.now() - started };
      },
      last: async () => ({}),
    },
  };
});
