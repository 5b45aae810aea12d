// What a commit costs: the disk's floor, how long each call keeps the thread, and syscalls per commit (strace).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median, round } from '../lib/stats.mjs';

const run = promisify(execFile);
const worker = fileURLToPath(new URL('../workers/cost.mjs', import.meta.url));
export const COST_METHODS = ['floor-write', 'floor-link', 'store', 'sqlite', 'lmdb'];
const STALL_METHODS = ['store', 'sqlite', 'lmdb'];
const quantile = (list, q) => [...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(q * list.length))] ?? Number.NaN;

async function once(method, count, wrap = [], mode = []) {
  const dir = mkdtempSync(join(tmpdir(), `bm-bench-cost-${method}-`));
  try {
    const [cmd, ...args] = [...wrap, process.execPath, worker, method, dir, String(count), ...mode];
    const { stdout } = await run(cmd, args, { env: process.env, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
    return JSON.parse(stdout.trim().split('\n').pop());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Calls per syscall name from an `strace -c` summary. */
function straceCounts(file) {
  const counts = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const parts = line.trim().split(/\s+/);
    const name = parts.at(-1);
    if (parts.length >= 5 && /^\d/.test(parts[0]) && name !== 'total') counts[name] = Number(parts[3]);
  }
  return counts;
}

/** libuv's thread pool and V8's housekeeping, not the file work of a commit. */
const RUNTIME_CALLS = new Set(['futex', 'epoll_pwait', 'epoll_wait', 'epoll_ctl', 'mmap', 'munmap', 'mprotect', 'madvise', 'brk', 'rt_sigprocmask', 'getpid', 'sched_yield']);

async function syscallsPerCommit(method, count) {
  const counts = [];
  for (const n of [0, count]) {
    const out = join(mkdtempSync(join(tmpdir(), 'bm-bench-strace-')), 'summary');
    await once(method, n, ['strace', '-f', '-c', '-o', out]);
    counts.push(straceCounts(out));
    rmSync(join(out, '..'), { recursive: true, force: true });
  }
  const [base, loaded] = counts;
  const per = {};
  for (const name of new Set([...Object.keys(base), ...Object.keys(loaded)])) {
    const d = ((loaded[name] ?? 0) - (base[name] ?? 0)) / count;
    if (Math.abs(d) >= 0.05) per[name] = round(d, 2);
  }
  const total = Object.values(per).reduce((a, b) => a + b, 0);
  const fileSystem = Object.entries(per).filter(([name]) => !RUNTIME_CALLS.has(name)).reduce((a, [, v]) => a + v, 0);
  return { method, total: round(total, 1), fileSystem: round(fileSystem, 1), perCall: per };
}

export async function cost({ count, rounds, contendedProcesses, strace, log }) {
  const runs = Object.fromEntries(COST_METHODS.map((m) => [m, []]));
  for (let r = 0; r < rounds; r++) {
    for (const method of COST_METHODS) {
      const x = await once(method, count);
      runs[method].push(x);
      log(`cost ${method} #${r + 1}: ${round((x.count / x.wallMs) * 1000)} commits/s, block p99 ${round(quantile(x.blocks, 0.99))} ms`);
    }
  }
  const rows = COST_METHODS.map((method) => {
    const list = runs[method];
    const blocks = list.flatMap((x) => x.blocks);
    return {
      method,
      commitsPerSecMedian: median(list.map((x) => (x.count / x.wallMs) * 1000)),
      blockP50Ms: quantile(blocks, 0.5),
      blockP99Ms: quantile(blocks, 0.99),
      blockMaxMs: Math.max(...blocks),
      loopDelayP99Ms: median(list.map((x) => x.loopDelayP99Ms)),
    };
  });
  // The longest stretch the event loop was held per commit, including work after the call returned (fs callbacks,
  // collection): one run per round with the loop kept turning (see workers/cost.mjs).
  for (const row of rows.filter((r) => STALL_METHODS.includes(r.method))) {
    const stalls = [];
    const busy = [];
    for (let r = 0; r < rounds; r++) {
      const x = await once(row.method, count, [], ['stall']);
      stalls.push(...x.stalls);
      busy.push(...x.busyStalls);
    }
    Object.assign(row, {
      stallP50Ms: quantile(stalls, 0.5), stallP99Ms: quantile(stalls, 0.99), stallMaxMs: Math.max(...stalls),
      busyStallP50Ms: quantile(busy, 0.5), busyStallP99Ms: quantile(busy, 0.99), busyStallMaxMs: Math.max(...busy),
    });
    log(`cost ${row.method}: longest event-loop turn per commit p50 ${round(row.stallP50Ms)} ms, p99 ${round(row.stallP99Ms)} ms; busy p50 ${round(row.busyStallP50Ms)} ms, p99 ${round(row.busyStallP99Ms)} ms`);
  }
  // The thread while others write too: SQLite's busy timeout waits inside the call.
  const contended = [];
  for (const method of ['store', 'sqlite', 'lmdb']) {
    const dir = mkdtempSync(join(tmpdir(), `bm-bench-block-${method}-`));
    try {
      const all = await Promise.all(
        Array.from({ length: contendedProcesses }, () => run(process.execPath, [worker, method, dir, String(count)], { maxBuffer: 64 * 1024 * 1024, timeout: 300_000 }).then(({ stdout }) => JSON.parse(stdout.trim().split('\n').pop()))),
      );
      const blocks = all.flatMap((x) => x.blocks);
      contended.push({ method, processes: contendedProcesses, blockP50Ms: quantile(blocks, 0.5), blockP99Ms: quantile(blocks, 0.99), blockMaxMs: Math.max(...blocks) });
      log(`cost contended ${method} ×${contendedProcesses}: block p99 ${round(quantile(blocks, 0.99))} ms, max ${round(Math.max(...blocks))} ms`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  let syscalls = null;
  if (strace && existsSync('/usr/bin/strace')) {
    syscalls = [];
    for (const method of ['store', 'sqlite', 'lmdb']) {
      const s = await syscallsPerCommit(method, 200);
      syscalls.push(s);
      log(`syscalls per commit, ${method}: ${s.fileSystem} file-system, ${s.total} in all`);
    }
  }
  return { count, rounds, rows, contended, syscalls };
}
