// A stand-in for one VS Code window: a real Node process using the BUILT store (the package's dist/index.js, copied by the
// test so a concurrent rebuild cannot pull it away). Driven by argv[2] (a role) and argv[3] (JSON options);
// reports to the test over IPC.
'use strict';
const fs = require('node:fs');

const role = process.argv[2];
const opts = JSON.parse(process.argv[3] || '{}');
const { StorageWrapper, ConflictError, isStorageWrapper, counterType } = require(opts.storeModule);

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
        const r = await store.update(m.key, (c) => (m.add === 0 ? c : c + m.add), 0);
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

/**
 * One window of the fault-injection suite: `count` updates of a shared map, each adding 1 to this writer's own entry,
 * logging its acknowledged count (synchronously, before the next update starts). With `stopAfterLink: n` it freezes
 * itself (SIGSTOP) right after the link of its n-th commit — the n-th link that succeeded — before the fsyncs, as a
 * debugger breakpoint would; with `stopBeforeLink: n`, between reading the base of its n-th attempt (a lost race
 * is an attempt too) and linking it. With `waitForGo`, it opens the store, says 'ready' and waits for 'go'.
 */
async function faultWriter() {
  let attempts = 0;
  let commits = 0;
  const fileSystem = {
    ...fs,
    linkSync(from, to) {
      const record = /v\d{12}\.json$/.test(to);
      // Before the link: its base is read and its record written; others move on, collect and reuse numbers.
      if (record && ++attempts === opts.stopBeforeLink) process.kill(process.pid, 'SIGSTOP');
      fs.linkSync(from, to); // EEXIST: a lost race, which is not a commit
      if (record && ++commits === opts.stopAfterLink) process.kill(process.pid, 'SIGSTOP');
    },
  };
  const store = new StorageWrapper({ globalStoragePath: opts.dir }, { keepVersions: opts.keepVersions, fileSystem });
  if (opts.waitForGo) {
    await send({ type: 'ready', pid: process.pid });
    await waitFor('go');
  }
  const log = fs.openSync(opts.ackLog, 'a');
  for (let i = 1; i <= opts.count; i++) {
    await store.update(opts.key, (map) => ({ ...map, [opts.id]: (map[opts.id] || 0) + 1 }), {});
    fs.writeSync(log, `${i}\n`);
  }
  await store.dispose();
}

/** Watches a key: versions must only go up, and `get` must already return at least the version announced. */
async function monotonicReader() {
  const store = new StorageWrapper({ globalStoragePath: opts.dir }, { watch: opts.watch });
  let last = store.get(opts.key).version;
  let events = 0;
  const violations = [];
  store.onDidChange((e) => {
    if (e.key !== opts.key) return;
    events++;
    const got = store.get(opts.key).version;
    if (e.version <= last) violations.push(`version ${e.version} after ${last}`);
    if (got < e.version) violations.push(`get returned ${got} inside the callback for ${e.version}`);
    last = Math.max(last, e.version);
  });
  process.on('message', async (m) => {
    if (m.type === 'report') {
      await store.refresh();
      await send({ type: 'report', events, violations, last, metrics: store.getMetrics() });
    }
  });
  await send({ type: 'ready' });
}

/** Increments `key` one update after another until told to stop; answers 'get' with its cached record at any time. */
async function looper() {
  const logs = [];
  const log = (level, message) => logs.push(`${level}: ${message}`);
  const store = new StorageWrapper({ globalStoragePath: opts.dir }, { watch: opts.watch, pollIntervalMs: opts.pollIntervalMs, log });
  let stop = false;
  let acked = 0;
  let failed = 0;
  process.on('message', async (m) => {
    if (m.type === 'stop') stop = true;
    if (m.type === 'get') await send({ type: 'got', record: store.get(opts.key), acked, failed, mode: store.getMetrics().watchMode, logs: logs.slice(-20) });
  });
  await send({ type: 'ready' });
  while (!stop) {
    await store.update(opts.key, (c) => c + 1, 0).then(
      () => acked++,
      () => failed++,
    );
    if (opts.pauseMs) await new Promise((resolve) => setTimeout(resolve, opts.pauseMs));
  }
  await send({ type: 'stopped', acked, failed });
}

/**
 * Adds 1 to a counter, one add after another, logging each acknowledged add (synchronously, before the next add
 * starts): a killed adder has at most one add in flight. Reports its writer id (its clientId) first.
 */
async function counterAdder() {
  const store = new StorageWrapper({ globalStoragePath: opts.dir });
  const counter = store.counter(opts.key);
  const log = fs.openSync(opts.ackLog, 'a');
  await send({ type: 'ready', writer: store.clientId, pid: process.pid });
  let first = true;
  for (let i = 0; opts.count === undefined || i < opts.count; i++) {
    await counter.add(1);
    fs.writeSync(log, '1\n');
    if (first) {
      first = false;
      await send({ type: 'firstAck' });
    }
  }
  await send({ type: 'done' });
  if (opts.thenDispose) await store.dispose();
}

/** `count` adds at once after 'go' (they are written together, batch after batch); reports the value and metrics. */
async function counterBurst() {
  const store = new StorageWrapper({ globalStoragePath: opts.dir });
  const counter = store.counter(opts.key);
  await send({ type: 'ready' });
  await waitFor('go');
  await Promise.all(Array.from({ length: opts.count }, () => counter.add(1)));
  await send({ type: 'done', value: counter.value(), metrics: store.getMetrics() });
  await store.dispose();
}

/**
 * The folding roles' file-system seam: with `stopBeforeFoldLink` the process freezes itself (SIGSTOP) at its first
 * record link (the fold's, between reading the base and linking); with `stopAfterFold`, at its first removal of a
 * folded writer's file (`files`), after the fold's record is durable.
 */
function foldFreezer(files) {
  return {
    ...fs,
    linkSync(from, to) {
      if (opts.stopBeforeFoldLink && /v\d{12}\.json$/.test(to)) {
        opts.stopBeforeFoldLink = false;
        process.kill(process.pid, 'SIGSTOP');
      }
      fs.linkSync(from, to);
    },
    unlinkSync(path) {
      if (opts.stopAfterFold && files.test(path)) {
        opts.stopAfterFold = false;
        process.kill(process.pid, 'SIGSTOP');
      }
      fs.unlinkSync(path);
    },
  };
}

/**
 * Opens a counter (which folds the contributions of gone writers) and reports when that fold is done, then answers
 * 'get' with the value. With `stopBeforeFoldLink` it freezes itself (SIGSTOP) between reading the base and linking
 * the fold's record; with `stopAfterFold`, after the fold's record is durable and before it removes any folded file.
 */
async function counterFolder() {
  const fileSystem = foldFreezer(/[\\/]c-[^\\/]+\.json$/);
  const store = new StorageWrapper({ globalStoragePath: opts.dir }, { fileSystem });
  if (opts.waitForGo) {
    await send({ type: 'ready', pid: process.pid });
    await waitFor('go');
  }
  const key = store.convergent(opts.key, counterType);
  const folded = await key.fold();
  await send({ type: 'folded', folded, value: key.value() });
  process.on('message', async (m) => {
    if (m.type === 'get') await send({ type: 'got', value: key.value(), record: store.get(opts.key) });
  });
}

/** Appends `<name>-<i>` events one after another, logging each acknowledged id before the next append starts. */
async function logAppender() {
  const store = new StorageWrapper({ globalStoragePath: opts.dir });
  const log = store.log(opts.key);
  const acks = fs.openSync(opts.ackLog, 'a');
  await send({ type: 'ready', pid: process.pid });
  let first = true;
  for (let i = 0; opts.count === undefined || i < opts.count; i++) {
    const id = `${opts.name}-${i}`;
    await log.append(id, { i });
    fs.writeSync(acks, `${id}\n`);
    if (first) {
      first = false;
      await send({ type: 'firstAck' });
    }
  }
  await send({ type: 'done' });
}

/** Opens a log (folding gone writers' logs), reports the ids in order; the freezing seams as counterFolder's. */
async function logFolder() {
  const fileSystem = foldFreezer(/[\\/]l-[^\\/]+\.log$/);
  const store = new StorageWrapper({ globalStoragePath: opts.dir }, { fileSystem });
  if (opts.waitForGo) {
    await send({ type: 'ready', pid: process.pid });
    await waitFor('go');
  }
  const log = store.log(opts.key);
  const folded = await log.fold();
  await send({ type: 'folded', folded, ids: log.entries().map((e) => e.id) });
  process.on('message', async (m) => {
    if (m.type === 'get') await send({ type: 'got', ids: log.entries().map((e) => e.id), record: store.get(opts.key) });
  });
}

const roles = { logAppender, logFolder, counterAdder, counterBurst, counterFolder, looper, increments, killable, feedWriter, feedReader, migrate, holder, faultWriter, monotonicReader };
roles[role]().catch((e) => {
  process.send({ type: 'error', message: String(e && e.stack || e) });
  process.exitCode = 1;
});
