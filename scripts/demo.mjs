// `npm run demo`: three processes stand for three VS Code windows and all count visits on ONE shared record at the
// same moment. First with the store (@breath-master/store), then the naive way (read the file, +1, write it back).
// Each window prints what it sees at the end. Runs in a temp folder, removed afterwards.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WINDOWS = ['A', 'B', 'C'];
const INCREMENTS = 100;
const KEY = 'demo.visits';
const self = fileURLToPath(import.meta.url);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------- one window ---

/** The store's way: compare-and-set updates, and a change feed that keeps this window's view fresh. */
async function storeWindow(name, dir) {
  const { StorageWrapper } = createRequire(import.meta.url)('@breath-master/store');
  const store = new StorageWrapper({ globalStoragePath: dir }, { clientId: `window-${name}` });
  let heardFromOthers = 0;
  store.createTouchWatcher(() => (heardFromOthers += 1));
  store.get(KEY, 0);
  return {
    async work() {
      for (let i = 0; i < INCREMENTS; i++) await store.update(KEY, (visits) => visits + 1, 0);
    },
    async report(total) {
      // The other windows' last commits reach this one through the change feed, in milliseconds; allow 2 s.
      for (let waited = 0; store.get(KEY, 0).version < total && waited < 2000; waited += 10) await sleep(10);
      const seen = store.get(KEY, 0);
      const { conflicts } = store.getMetrics();
      console.log(`  window ${name}: sees ${seen.payload} visits (version ${seen.version}) · its ${INCREMENTS} updates all acknowledged, ` +
        `${conflicts} conflicts retried · ${heardFromOthers} change notifications from the others`);
      store.dispose();
      return seen.payload;
    },
  };
}

/** The naive way: read the JSON file, add one, write it back. No lock, no compare-and-set. */
async function naiveWindow(name, dir) {
  const file = join(dir, 'visits.json');
  const read = async () => {
    // A read racing another window's write can see an empty or half-written file: try again, as an app would.
    // Two racing writes can even leave bytes that never parse again; then start from 0, as an app with a default would.
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        return JSON.parse(await readFile(file, 'utf8')).visits;
      } catch {
        await sleep(1);
      }
    }
    return 0;
  };
  return {
    async work() {
      for (let i = 0; i < INCREMENTS; i++) {
        const visits = await read();
        await writeFile(file, JSON.stringify({ visits: visits + 1 }));
      }
    },
    async report() {
      const visits = await read();
      console.log(`  window ${name}: sees ${visits} visits · its ${INCREMENTS} writes all "succeeded"`);
      return visits;
    },
  };
}

async function runWindow([, way, name, dir]) {
  const window = await (way === 'store' ? storeWindow : naiveWindow)(name, dir);
  process.on('message', async (message) => {
    if (message.type === 'go') {
      await window.work();
      process.send({ type: 'worked' });
    } else if (message.type === 'report') {
      const sees = await window.report(message.total);
      process.send({ type: 'reported', sees }, () => process.exit(0));
    }
  });
  process.send({ type: 'ready' });
}

// ------------------------------------------------------------------------------------------- the conductor ---

function open(way, name, dir) {
  const child = fork(self, ['--window', way, name, dir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (type) =>
    new Promise((resolve, reject) => {
      const onMessage = (message) => {
        if (message.type !== type) return;
        child.off('exit', onExit);
        child.off('message', onMessage);
        resolve(message);
      };
      const onExit = (code) => reject(new Error(`window ${name} (${way}) stopped with code ${code}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  return { name, send: (m) => child.send(m), next };
}

/** Opens three windows, lets them all count at once, then asks each, in turn, what it sees. */
async function race(way, dir) {
  const windows = WINDOWS.map((name) => open(way, name, dir));
  await Promise.all(windows.map((w) => w.next('ready')));
  for (const w of windows) w.send({ type: 'go' }); // all at once, like three windows opening at the same moment
  await Promise.all(windows.map((w) => w.next('worked')));
  const total = WINDOWS.length * INCREMENTS;
  const seen = [];
  for (const w of windows) {
    w.send({ type: 'report', total });
    seen.push((await w.next('reported')).sees);
  }
  return seen;
}

async function main() {
  const expected = WINDOWS.length * INCREMENTS;
  const root = mkdtempSync(join(tmpdir(), 'breath-master-demo-'));
  const cleanUp = () => rmSync(root, { recursive: true, force: true });
  process.once('SIGINT', () => {
    cleanUp();
    process.exit(130);
  });
  try {
    console.log(`\nThree windows (three processes) each count ${INCREMENTS} visits on one shared record, all at once.`);
    console.log(`Expected at the end: ${expected}.\n`);

    console.log('1) With the store (compare-and-set, change feed):');
    const storeSeen = await race('store', join(root, 'store'));

    console.log('\n2) The naive way (read the file, +1, write it back):');
    writeFileSync(join(root, 'visits.json'), JSON.stringify({ visits: 0 }));
    const naiveSeen = await race('naive', root);

    const storeOk = storeSeen.every((v) => v === expected);
    const naiveFinal = naiveSeen[naiveSeen.length - 1] ?? 0;
    console.log('\nSummary');
    console.log(storeOk
      ? `  ✔ store: every window sees ${expected} — nothing lost, nothing counted twice.`
      : `  ✘ store: windows see ${storeSeen.join(', ')} (expected ${expected}) — this is a bug, please report it.`);
    console.log(naiveFinal < expected
      ? `  ✘ naive: ${naiveFinal} of ${expected} — ${expected - naiveFinal} visits lost, though every write "succeeded".`
      : `  ? naive: ${naiveFinal} of ${expected} — no loss this time (the race is real, just not guaranteed to show; run it again).`);
    console.log('');
    process.exitCode = storeOk ? 0 : 1;
  } finally {
    cleanUp();
  }
}

if (process.argv[2] === '--window') await runWindow(process.argv.slice(2));
else await main();
