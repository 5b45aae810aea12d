// What one commit costs, in one process: `count` sequential increments by one method, each timed for how long its
// call kept the thread (the synchronous part: a store inside an extension host must not freeze the host). Also the
// disk's own floor: write+fsync, link + two fsyncs.
// With a 4th argument `stall`, the event loop is kept turning (setImmediate after setImmediate) and each commit's
// longest gap between two turns is reported too: that catches work done after the call returned — callbacks,
// housekeeping after the fsyncs — which the call's own time misses — once on the clock and once as the smaller of
// the clock and the process's CPU time in that turn (which leaves out time the process was descheduled). Spinning
// costs a core, so commits/s of a stall run mean nothing.
// argv: method (store | sqlite | lmdb | floor-write | floor-link), folder, count, [stall]. Prints one JSON line.
import { closeSync, fsyncSync, linkSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { lmdbCounter, sqliteCounter } from '../lib/baselines.mjs';
import { loadStore } from '../lib/store.mjs';

const [method, dir, countArg, mode] = process.argv.slice(2);
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
const stalls = [];
const busyStalls = [];
let turnAt = performance.now();
let turnCpu = process.cpuUsage();
let longestTurn = 0;
let longestBusyTurn = 0;
let spinning = mode === 'stall';
const spin = () => {
  const now = performance.now();
  const cpu = process.cpuUsage();
  longestTurn = Math.max(longestTurn, now - turnAt);
  // On a shared machine a turn is also long when the process was descheduled; the CPU the process used meanwhile
  // (all its threads) bounds what the turn really did, so the smaller of the two is the turn's own work.
  const cpuMs = (cpu.user - turnCpu.user + cpu.system - turnCpu.system) / 1000;
  longestBusyTurn = Math.max(longestBusyTurn, Math.min(now - turnAt, cpuMs));
  turnAt = now;
  turnCpu = cpu;
  if (spinning) setImmediate(spin);
};
if (spinning) setImmediate(spin);
const started = performance.now();
delay.enable();
for (let i = 0; i < count; i++) {
  longestTurn = 0;
  longestBusyTurn = 0;
  const t0 = performance.now();
  const pending = counter.increment();
  blocks.push(performance.now() - t0);
  await pending;
  // Work queued by this commit (collection, callbacks) runs within the next turns: let them pass first.
  if (spinning) await new Promise((resolve) => setTimeout(resolve, 2));
  stalls.push(Math.max(longestTurn, blocks[i]));
  busyStalls.push(Math.max(longestBusyTurn, blocks[i]));
}
spinning = false;
delay.disable();
const wallMs = performance.now() - started;
await counter.close();
process.stdout.write(`${JSON.stringify({ method, count, wallMs, blocks, stalls: mode === 'stall' ? stalls : undefined, busyStalls: mode === 'stall' ? busyStalls : undefined, loopDelayP99Ms: delay.percentile(99) / 1e6, loopDelayMaxMs: delay.max / 1e6 })}\n`);
