// A stand-in for one VS Code window: a real Node process using the BUILT store (dist/store/index.js, copied by the
// test so a concurrent rebuild cannot pull it away). Driven by argv[2] (a role) and argv[3] (JSON options);
// reports to the test over IPC.
'use strict';
const fs = require('node:fs');

const role = process.argv[2];
const opts = JSON.parse(process.argv[3] || '{}');
const { StorageWrapper, ConflictError, isStorageWrapper } = require(opts.storeModule);

const send = (message) => new Promise((resolve) => process.send(message, resolve));
const waitFor = (type) =>
  new Promise((resolve) => {
    const onMessage = (m) => {
      if (m && m.type === type) {
        process.off('message', onMessage);
        resolve(m);
      }
    };
    process.on('message', onMessage);
  });

async function increments() {
  const store = new StorageWrapper({ globalStoragePath: opts.dir }, { clientId: opts.clientId, ...(opts.keepVersions ? { keepVersions: opts.keepVersions } : {}) });
  if (!isStorageWrapper(store)) throw new Error('brand missing in the built store');
  await send({ type: 'ready' });
  await waitFor('go');
  const versions = [];
  let conflictErrors = 0;
  await Promise.all(
    Array.from({ length: opts.count }, () =>
      store.update(opts.key, (c) => c + 1, 0).then(
        (r) => versions.push(r.version),
        (e) => {
          if (e instanceof ConflictError) conflictErrors++;
          else throw e;
        },
      ),
    ),
  );
  await send({ type: 'done', versions, conflictErrors, metrics: store.getMetrics() });
  store.dispose();
}

/** Increments forever, logging each acknowledged version synchronously before the next update starts. */
async function killable() {
  const store = new StorageWrapper({ globalStoragePath: opts.dir });
  const log = fs.openSync(opts.ackLog, 'a');
  let first = true;
  for (;;) {
    const r = await store.update(opts.key, (c) => c + 1, 0);
    fs.writeSync(log, `${r.version}\n`);
    if (first) {
      first = false;
      process.send({ type: 'firstAck', version: r.version, at: Date.now() });
    }
  }
}

/** Commits the keys it is told to, in order, as fast as it can. */
async function feedWriter() {
  const store = new StorageWrapper({ globalStoragePath: opts.dir }, { clientId: 'writer', watch: opts.watch });
  process.on('message', async (m) => {
    if (m.type !== 'commit') return;
    for (const [key, value] of m.entries) await store.set(key, value);
    await send({ type: 'committed', round: m.round });
  });
  await send({ type: 'ready' });
}

/** Reports every change its watcher sees, with what `get` returns inside the callback. */
async function feedReader() {
  const store = new StorageWrapper({ globalStoragePath: opts.dir }, { clientId: 'reader', watch: opts.watch, pollIntervalMs: opts.pollIntervalMs });
  store.createTouchWatcher((key, version) => {
    const seen = store.get(key);
    process.send({ type: 'seen', key, version, getVersion: seen.version, getPayload: seen.payload, clientId: seen.clientId });
  });
  process.on('message', async (m) => {
    if (m.type === 'own') await store.set(m.key, m.value);
    if (m.type === 'metrics') await send({ type: 'metrics', metrics: store.getMetrics() });
  });
  await send({ type: 'ready' });
}

async function migrate() {
  const values = opts.globalState;
  const globalState = { get: (k) => values[k], update: async () => undefined };
  await send({ type: 'ready' });
  await waitFor('go');
  const store = new StorageWrapper({ globalStoragePath: opts.dir, globalState }, { migrate: opts.migrate });
  await store.ready;
  const seen = {};
  for (const key of opts.migrate) seen[key] = store.get(key);
  await send({ type: 'done', seen, commits: store.getMetrics().commits });
  store.dispose();
}

/** Holds a store open: commits on request and reports what it has cached. */
async function holder() {
  const store = new StorageWrapper({ globalStoragePath: opts.dir }, { watch: opts.watch });
  process.on('message', async (m) => {
    try {
      if (m.type === 'update') {
        const r = await store.update(m.key, (c) => c + m.add, 0);
        await send({ type: 'updated', record: r });
      } else if (m.type === 'get') {
        await send({ type: 'got', record: store.get(m.key, 'default') });
      } else if (m.type === 'read') {
        const r = await store.read(m.key).then((record) => ({ record }), (e) => ({ error: { name: e.name, key: e.key, message: e.message } }));
        await send({ type: 'read', ...r });
      }
    } catch (e) {
      await send({ type: 'error', message: String(e) });
    }
  });
  await send({ type: 'ready' });
}

const roles = { increments, killable, feedWriter, feedReader, migrate, holder };
roles[role]().catch((e) => {
  process.send({ type: 'error', message: String(e && e.stack || e) });
  process.exitCode = 1;
});
