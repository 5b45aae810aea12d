// A fresh process reading the contention benchmark's convergent counter: what a window opened after the others
// would show. argv: storage dir, store key. Its value is read at once (opening reads the key's record and every
// contribution); opening may also fold the contributions of writers that are gone (a compare-and-set), whose
// conflicts are reported.
import { loadStore } from '../lib/store.mjs';
import { workerMain } from '../lib/worker.mjs';

const [dir, key] = process.argv.slice(2);

workerMain(async () => {
  const { StorageWrapper } = loadStore();
  return async () => {
    const store = new StorageWrapper({ globalStoragePath: dir }, { clientId: 'bench-fresh', watch: 'poll' });
    const value = store.counter(key).value();
    await store.dispose();
    return { value, conflicts: store.getMetrics().conflicts };
  };
});
