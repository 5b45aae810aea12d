// get() calls per second on a cached key, in a process of its own so nothing else shares its heap or its core.
// argv: storage dir, calls per round, rounds.
import { loadStore } from '../lib/store.mjs';
import { workerMain } from '../lib/worker.mjs';

const [dir, callsArg, roundsArg] = process.argv.slice(2);
const KEY = 'bench.cached';

workerMain(async () => {
  const { StorageWrapper } = loadStore();
  const store = new StorageWrapper({ globalStoragePath: dir }, { watch: 'events' });
  // A record shaped like Breath Master's progress, committed by this instance: cached from then on.
  await store.set(KEY, { xp: 3400, level: 4, streakDays: 12, lastSession: '2026-11-25' });
  return async () => {
    const calls = Number(callsArg);
    const perSecond = [];
    let sink = 0; // used after the loop, so the calls cannot be optimised away
    for (let round = 0; round < Number(roundsArg); round++) {
      const started = performance.now();
      for (let i = 0; i < calls; i++) sink += store.get(KEY).version;
      perSecond.push((calls / (performance.now() - started)) * 1000);
    }
    store.dispose();
    return { perSecond, checksum: sink };
  };
});
