// One side of the change-feed latency benchmark, a long-lived process driven by the parent.
//   writer: on {type:'commit'} increments the key and replies when the update is acknowledged (durable).
//   reader: a createTouchWatcher callback reports each version it is told about, with the time it was told.
// argv: role (writer | reader), storage dir, watch mode (events | poll | auto), key.
import { wallNow } from '../lib/clock.mjs';
import { loadStore } from '../lib/store.mjs';

const [role, dir, watch, key] = process.argv.slice(2);
const leave = (message) => process.send(message, () => process.exit(0));

try {
  const { StorageWrapper } = loadStore();
  const store = new StorageWrapper({ globalStoragePath: dir }, { clientId: `feed-${role}`, watch });
  store.get(key, 0);
  if (role === 'reader') {
    store.createTouchWatcher((changedKey, version) => {
      const at = wallNow(); // first thing: the moment this process learned of the commit
      if (changedKey !== key) return;
      // The contract: by the time the callback runs, get() already returns the announced record.
      process.send({ type: 'seen', version, at, visibleVersion: store.get(key, 0).version });
    });
  }
  process.on('message', (message) => {
    if (message.type === 'commit') {
      const calledAt = wallNow();
      store.update(key, (n) => n + 1, 0).then(
        (record) => process.send({ type: 'committed', version: record.version, calledAt, ackedAt: wallNow() }),
        (error) => leave({ type: 'error', error: String(error?.stack ?? error) }),
      );
    } else if (message.type === 'stop') {
      const metrics = store.getMetrics();
      store.dispose();
      leave({ type: 'done', result: { metrics } });
    }
  });
  process.send({ type: 'ready' });
} catch (error) {
  leave({ type: 'error', error: String(error?.stack ?? error) });
}
