// One process of the fan-out benchmark (one commit seen by N windows), long-lived and driven by the parent.
//   writer: on {type:'commit'} commits one change — `update(key, n => n + 1)` or `counter(key).add(1)` — and replies
//           with the version (or the counter's total), the time of the call and of its resolution.
//   reader: a window that only listens — `store.onDidChange` (other windows' commits of the key) or the counter's
//           `onDidChange` — and reports each version (total) it is told about with the time it was told.
// Every process stamps with the system clock anchored when it starts (lib/clock.mjs, anchoredClock).
// Both answer {type:'cpu-start'} / {type:'cpu-stop'} with their process's CPU time (user + system, every thread)
// between the two, {type:'idle', ms} with the CPU they used over `ms` of doing nothing, and {type:'ping'} with a
// 'pong' (to cost the benchmark's own messages).
// argv: role (writer | reader), storage dir, mode (update | counter), key.
import { anchoredClock } from '../lib/clock.mjs';
import { loadStore } from '../lib/store.mjs';

const [role, dir, mode, key] = process.argv.slice(2);
// Timestamps compared across processes: anchored to the system clock here (see anchoredClock), not at process start.
const clock = anchoredClock();
const wallNow = clock.now;
const leave = (message) => process.send(message, () => process.exit(0));
const cpuMsSince = (start) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
const systemMsSince = (start) => process.cpuUsage(start).system / 1000;

try {
  const { StorageWrapper } = loadStore();
  // Default options (watch 'auto'): what a window of the extension opens.
  const store = new StorageWrapper({ globalStoragePath: dir }, { clientId: `fanout-${role}-${process.pid}` });
  const counter = mode === 'counter' ? store.counter(key) : undefined;
  if (mode === 'update') store.get(key, 0); // the key is loaded, as in a window that shows it
  else counter.value();
  if (role === 'reader') {
    if (mode === 'update') {
      store.onDidChange((change) => {
        const at = wallNow(); // first thing: the moment this window learned of the commit
        if (change.key !== key || change.source !== 'remote') return;
        process.send({ type: 'seen', version: change.version, at });
      });
    } else {
      counter.onDidChange((total) => {
        const at = wallNow();
        process.send({ type: 'seen', version: total, at });
      });
    }
  }
  let cpuStart = null;
  let cpuStartedAt = 0;
  process.on('message', (message) => {
    if (message.type === 'commit') {
      const calledAt = wallNow();
      const done = mode === 'update' ? store.update(key, (n) => n + 1, 0).then((record) => record.version) : counter.add(1);
      done.then(
        (version) => process.send({ type: 'committed', version, calledAt, ackedAt: wallNow() }),
        (error) => leave({ type: 'error', error: String(error?.stack ?? error) }),
      );
    } else if (message.type === 'cpu-start') {
      cpuStart = process.cpuUsage();
      cpuStartedAt = wallNow();
      process.send({ type: 'cpu-started' });
    } else if (message.type === 'cpu-stop') {
      process.send({ type: 'cpu', cpuMs: cpuMsSince(cpuStart), systemMs: systemMsSince(cpuStart), wallMs: wallNow() - cpuStartedAt });
    } else if (message.type === 'idle') {
      const start = process.cpuUsage();
      const startedAt = wallNow();
      setTimeout(() => process.send({ type: 'idle-done', cpuMs: cpuMsSince(start), wallMs: wallNow() - startedAt }), message.ms);
    } else if (message.type === 'ping') {
      process.send({ type: 'pong' });
    } else if (message.type === 'stop') {
      const metrics = store.getMetrics();
      store.dispose();
      leave({ type: 'done', result: { metrics } });
    }
  });
  process.send({ type: 'ready', clockSkewMs: clock.skewMs });
} catch (error) {
  leave({ type: 'error', error: String(error?.stack ?? error) });
}
