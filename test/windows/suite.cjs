// The store's multi-process properties, run by the Windows build of Node (under Wine in CI, natively on a Windows
// machine): contention, killed writers, the change feed, and what dead writers leave. Started as
//   node.exe suite.cjs <store module> <work folder> <results.json>
// it forks node.exe children of its own (their pipes work under Wine, unlike a Unix pipe as stdout) and writes its
// results as JSON; run.mjs on the Linux side starts it and reads them.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { fork } = require('node:child_process');

const [, , storeModule, work, resultsFile, role, ...args] = process.argv;
const { StorageWrapper } = require(storeModule);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A child: `count` increments of `key` (forever when count is 0), logging each acknowledged version. */
async function child(dir, key, count, ackLog) {
  const store = new StorageWrapper({ globalStoragePath: dir }, { keepVersions: 2 });
  const errors = [];
  for (let i = 0; count === 0 || i < count; i++) {
    try {
      const r = await store.update(key, (c) => c + 1, 0);
      if (ackLog) fs.appendFileSync(ackLog, `${r.version}\n`);
    } catch (e) {
      errors.push(String(e));
    }
  }
  await store.dispose();
  process.send({ errors: errors.slice(0, 3), errorCount: errors.length }, () => process.exit(0));
}

/** A child adding to a counter: `count` adds of 1 (forever when 0), logging each acknowledged one, then disposing. */
async function counterChild(dir, key, count, ackLog) {
  const store = new StorageWrapper({ globalStoragePath: dir });
  const counter = store.counter(key);
  const errors = [];
  for (let i = 0; count === 0 || i < count; i++) {
    try {
      await counter.add(1);
      if (ackLog) fs.appendFileSync(ackLog, '1\n');
    } catch (e) {
      errors.push(String(e));
    }
  }
  await store.dispose();
  process.send({ errors: errors.slice(0, 3), errorCount: errors.length }, () => process.exit(0));
}

/** A child appending `count` events `<name>-<i>` to a log, then disposing (its log is folded into the record). */
async function logChild(dir, key, count, name) {
  const store = new StorageWrapper({ globalStoragePath: dir });
  const log = store.log(key);
  const errors = [];
  for (let i = 0; i < count; i++) await log.append(`${name}-${i}`, { i }).catch((e) => errors.push(String(e)));
  await store.dispose();
  process.send({ errors: errors.slice(0, 3), errorCount: errors.length }, () => process.exit(0));
}

/** Three processes append to one log at once: another reads all of them as they come, and a new one after they closed. */
async function logScenario() {
  const dir = path.join(work, 'log');
  const reader = new StorageWrapper({ globalStoragePath: dir });
  const log = reader.log('l');
  const children = ['a', 'b', 'c'].map((name) => fork(path.join(__dirname, 'suite.cjs'), [storeModule, work, resultsFile, 'logChild', dir, 'l', '40', name], { stdio: 'ignore' }));
  const answers = await Promise.all(children.map(answer));
  for (let i = 0; i < 100 && log.entries().length < 120; i++) await sleep(50);
  const heard = log.entries().length;
  await reader.dispose();
  const opener = new StorageWrapper({ globalStoragePath: dir });
  const entries = opener.log('l').entries();
  await opener.dispose();
  const ids = new Set(entries.map((e) => e.id));
  const ordered = ['a', 'b', 'c'].every((name) => entries.filter((e) => e.id.startsWith(`${name}-`)).every((e, i) => e.id === `${name}-${i}`));
  const errors = answers.reduce((n, a) => n + a.errorCount, 0);
  const left = fs.existsSync(path.join(dir, 'records')) ? fs.readdirSync(path.join(dir, 'records')).flatMap((k) => fs.readdirSync(path.join(dir, 'records', k)).filter((g) => g.startsWith('g-')).flatMap((g) => fs.readdirSync(path.join(dir, 'records', k, g)).filter((f) => f.startsWith('l-')))) : [];
  return {
    ok: errors === 0 && heard === 120 && entries.length === 120 && ids.size === 120 && ordered && left.length === 0,
    detail: `3 processes × 40 appends: another process read ${heard}, a new one ${entries.length} (${ids.size} ids, each writer's in order: ${ordered}); ${errors} errors${answers.find((a) => a.errors[0]) ? ` (first: ${answers.find((a) => a.errors[0]).errors[0]})` : ''}; log files left: ${left.length}`,
  };
}

const slotFiles = (dir) => {
  const records = path.join(dir, 'records');
  if (!fs.existsSync(records)) return [];
  return fs.readdirSync(records).flatMap((name) => fs.readdirSync(path.join(records, name)).filter((g) => g.startsWith('g-')).flatMap((g) => fs.readdirSync(path.join(records, name, g)).filter((f) => f.startsWith('c-'))));
};

/** Three processes add to one counter at once; another hears every add; once they have exited, all are folded in. */
async function counter() {
  const dir = path.join(work, 'counter');
  const reader = new StorageWrapper({ globalStoragePath: dir });
  const c = reader.counter('c');
  let heard = 0;
  c.onDidChange((value) => (heard = Math.max(heard, value)));
  const children = [0, 1, 2].map(() => fork(path.join(__dirname, 'suite.cjs'), [storeModule, work, resultsFile, 'counterChild', dir, 'c', '50', ''], { stdio: 'ignore' }));
  const answers = await Promise.all(children.map(answer));
  for (let i = 0; i < 100 && heard < 150; i++) await sleep(50);
  await reader.dispose();
  const opener = new StorageWrapper({ globalStoragePath: dir });
  const final = opener.counter('c').value();
  const metrics = opener.getMetrics();
  await opener.dispose();
  const errors = answers.reduce((n, a) => n + a.errorCount, 0);
  const left = slotFiles(dir);
  return {
    ok: errors === 0 && heard === 150 && final === 150 && left.length === 0,
    detail: `3 processes × 50 adds: another process heard ${heard}, a new one reads ${final} (${metrics.conflicts} conflicts); ${errors} errors${answers.find((a) => a.errors[0]) ? ` (first: ${answers.find((a) => a.errors[0]).errors[0]})` : ''}; contribution files left: ${left.length}`,
  };
}

/** Adders terminated mid-add, then a new window folds their contributions in: nothing acknowledged lost, none left. */
async function counterKills() {
  const dir = path.join(work, 'counter-kills');
  const logs = path.join(work, 'counter-acks');
  fs.mkdirSync(logs, { recursive: true });
  let n = 0;
  const start = () => fork(path.join(__dirname, 'suite.cjs'), [storeModule, work, resultsFile, 'counterChild', dir, 'c', '0', path.join(logs, `w${n++}.log`)], { stdio: 'ignore' });
  const slots = [start(), start(), start()];
  let killed = 0;
  for (let k = 0; k < 9; k++) {
    await sleep(300 + Math.random() * 400);
    const i = k % slots.length;
    const victim = slots[i];
    const exited = new Promise((r) => victim.once('exit', r));
    victim.kill();
    await exited;
    killed++;
    slots[i] = k < 6 ? start() : undefined;
  }
  const acked = fs.readdirSync(logs).reduce((sum, f) => sum + fs.readFileSync(path.join(logs, f), 'utf8').split('\n').filter(Boolean).length, 0);
  const opener = new StorageWrapper({ globalStoragePath: dir });
  const key = opener.convergent('c', require(storeModule).counterType);
  await key.fold();
  const final = key.value();
  const left = slotFiles(dir);
  await opener.dispose();
  return {
    ok: final >= acked && final <= acked + killed && left.length === 0,
    detail: `${killed} adders terminated mid-add: ${acked} acknowledged, a new window folds them in and reads ${final} (at most ${killed} more); contribution files left: ${left.length}`,
  };
}

const spawnChild = (dir, key, count, ackLog = '') => fork(path.join(__dirname, 'suite.cjs'), [storeModule, work, resultsFile, 'child', dir, key, String(count), ackLog], { stdio: 'ignore' });
const answer = (c) => new Promise((resolve) => c.once('message', resolve));

async function sequential() {
  const store = new StorageWrapper({ globalStoragePath: path.join(work, 'sequential') });
  const errors = [];
  for (let i = 0; i < 20; i++) await store.update('k', (c) => c + 1, 0).catch((e) => errors.push(String(e)));
  const got = store.get('k');
  await store.dispose();
  return { ok: errors.length === 0 && got.version === 20 && got.payload === 20, detail: `20 sequential updates: ${20 - errors.length} resolved, version ${got.version}${errors[0] ? `; first error: ${errors[0]}` : ''}` };
}

async function contentionAndFeed() {
  const dir = path.join(work, 'contention');
  const reader = new StorageWrapper({ globalStoragePath: dir });
  let last = 0;
  const behind = [];
  reader.onDidChange((e) => {
    const got = reader.get('k').version;
    if (got < e.version || e.version <= last) behind.push(`${e.version} after ${last}, get ${got}`);
    last = Math.max(last, e.version);
  });
  const children = [0, 1, 2].map(() => spawnChild(dir, 'k', 50));
  const answers = await Promise.all(children.map(answer));
  for (let i = 0; i < 100 && last < 150; i++) await sleep(50);
  const final = await new StorageWrapper({ globalStoragePath: dir }).read('k');
  const errors = answers.reduce((n, a) => n + a.errorCount, 0);
  const metrics = reader.getMetrics();
  await reader.dispose();
  return [
    { name: 'contention', ok: errors === 0 && final.payload === 150 && final.version === 150, detail: `3 processes × 50: final ${final.payload} at version ${final.version}, ${errors} errors${answers.find((a) => a.errors[0]) ? `; first: ${answers.find((a) => a.errors[0]).errors[0]}` : ''}` },
    { name: 'feed', ok: last === 150 && behind.length === 0, detail: `another process heard up to version ${last} (${metrics.watchMode}, commit→callback p50 ${metrics.feedLatencyMs.p50} ms, p99 ${metrics.feedLatencyMs.p99} ms)${behind.length ? `; out of order or get behind: ${behind.slice(0, 3).join('; ')}` : ''}` },
  ];
}

async function kills() {
  const dir = path.join(work, 'kills');
  const logs = path.join(work, 'kill-acks');
  fs.mkdirSync(logs, { recursive: true });
  let n = 0;
  const start = () => spawnChild(dir, 'k', 0, path.join(logs, `w${n++}.log`));
  const slots = [start(), start(), start()];
  const killed = [];
  for (let k = 0; k < 8; k++) {
    await sleep(300 + Math.random() * 400);
    const i = Math.floor(Math.random() * slots.length);
    const victim = slots[i];
    const exited = new Promise((r) => victim.once('exit', r));
    victim.kill();
    await exited;
    killed.push(victim.pid);
    slots[i] = start();
  }
  await sleep(500);
  for (const c of slots) {
    const exited = new Promise((r) => c.once('exit', r));
    c.kill();
    await exited;
    killed.push(c.pid);
  }
  const acked = fs.readdirSync(logs).flatMap((f) => fs.readFileSync(path.join(logs, f), 'utf8').split('\n').filter(Boolean).map(Number));
  // A window opening after the kills: it sweeps the dead writers' temp files, and its collections their intents.
  const opener = new StorageWrapper({ globalStoragePath: dir }, { keepVersions: 2 });
  const final = await opener.read('k');
  for (let i = 0; i < 6; i++) await opener.update('k', (c) => c + 1, 0);
  const after = opener.get('k');
  const leftovers = [];
  const keyFolders = fs.readdirSync(path.join(dir, 'records')).map((name) => path.join(dir, 'records', name));
  for (const folder of [path.join(dir, 'tmp'), ...keyFolders]) {
    for (const name of fs.readdirSync(folder)) if (killed.some((pid) => name.includes(`-${pid}-`))) leftovers.push(name);
  }
  await opener.dispose();
  const unique = new Set(acked).size === acked.length;
  const exact = final.payload === final.version;
  const bounded = final.payload >= acked.length && final.payload <= acked.length + killed.length;
  return {
    ok: unique && exact && bounded && after.version === final.version + 6 && leftovers.length === 0,
    detail:
      `${killed.length} writers terminated mid-update: ${acked.length} acknowledged, final ${final.payload} at version ${final.version} ` +
      `(${final.payload - acked.length} committed unacknowledged, at most ${killed.length}); a new window then committed to version ${after.version}; ` +
      `files of dead writers left: ${leftovers.length}${leftovers.length ? ` (${leftovers.slice(0, 3).join(', ')})` : ''}`,
  };
}

async function main() {
  const results = [];
  const run = async (name, scenario) => {
    const started = Date.now();
    try {
      const r = await scenario();
      for (const one of Array.isArray(r) ? r : [{ name, ...r }]) results.push({ ...one, ms: Date.now() - started });
    } catch (e) {
      results.push({ name, ok: false, detail: `threw: ${e && e.stack ? e.stack : e}`, ms: Date.now() - started });
    }
    fs.writeFileSync(resultsFile, JSON.stringify({ platform: process.platform, node: process.version, results }, null, 2));
  };
  await run('sequential', sequential);
  await run('contention', contentionAndFeed);
  await run('kills', kills);
  await run('counter', counter);
  await run('counter-kills', counterKills);
  await run('log', logScenario);
}

if (role === 'child') child(args[0], args[1], Number(args[2]), args[3]).catch(() => process.exit(1));
else if (role === 'logChild') logChild(args[0], args[1], Number(args[2]), args[3]).catch(() => process.exit(1));
else if (role === 'counterChild') counterChild(args[0], args[1], Number(args[2]), args[3]).catch(() => process.exit(1));
else main().then(() => process.exit(0));
