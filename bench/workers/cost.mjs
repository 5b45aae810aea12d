// What one commit costs, in one process: `count` sequential increments by one method, each timed for how long its
// call kept the thread (the synchronous part: a store inside an extension host must not freeze the host), plus the
// event loop's delay histogram over the whole run. Also the disk's own floor: write+fsync, link + two fsyncs.
// argv: method (store | sqlite | lmdb | floor-write | floor-link), folder, count. Prints one JSON line.
import { closeSync, fsyncSync, linkSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { lmdbCounter, sqliteCounter } from '../lib/baselines.mjs';
import { loadStore } from '../lib/store.mjs';

const [method, dir, countArg] = process.argv.slice(2);
const count = Number(countArg);

async function incrementer() {
  if (method === 'store') {
    const { StorageWrapper } = loadStore();
    const store = new StorageWrapper({ globalStoragePath: dir });
    await store.update('k', (n) => n + 1, 0);
    return { increment: () => store.update('k', (n) => n + 1, 0), close: () => store.dispose() };
  }
  if (method === 'sqlite') return sqliteCounter(join(dir, 'counter.db'));
  if (method === 'lmdb') return lmdbCounter(join(dir, 'counter.lmdb'));
  const bytes = Buffer.from('{"value":1}\n');
  if (method === 'floor-write') {
    const fd = openSync(join(dir, 'floor'), 'w');
    return { increment: () => (writeSync(fd, bytes, 0, bytes.length, 0), fsyncSync(fd)), close: () => closeSync(fd) };
  }
  if (method === 'floor-link') {
    const folder = openSync(dir, 'r');
    let n = 0;
    return {
      increment() {
        const temp = join(dir, `t${n}`);
        const fd = openSync(temp, 'wx');
        writeSync(fd, bytes, 0, bytes.length, 0);
        linkSync(temp, join(dir, `v${n++}`));
        fsyncSync(fd);
        fsyncSync(folder);
        closeSync(fd);
        unlinkSync(temp);
      },
      close: () => closeSync(folder),
    };
  }
  throw new Error(`unknown method ${method}`);
}

const counter = await incrementer();
const delay = monitorEventLoopDelay({ resolution: 1 });
const blocks = [];
const started = performance.now();
delay.enable();
for (let i = 0; i < count; i++) {
  const t0 = performance.now();
  const pending = counter.increment();
  blocks.push(performance.now() - t0);
  await pending;
}
delay.disable();
const wallMs = performance.now() - started;
await counter.close();
process.stdout.write(`${JSON.stringify({ method, count, wallMs, blocks, loopDelayP99Ms: delay.percentile(99) / 1e6, loopDelayMaxMs: delay.max / 1e6 })}\n`);
process.exit(0);
