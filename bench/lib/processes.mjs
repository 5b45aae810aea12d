// Real OS processes for cross-process measurements, started together behind a barrier: every worker loads its
// code, opens its files and says 'ready'; only when all are ready does the parent say 'go', so process start-up
// (tens of ms per Node process on a busy machine) never counts as work.
import { fork } from 'node:child_process';
import { wallNow } from './clock.mjs';

const DEFAULT_TIMEOUT_MS = 180_000;

/** Forks one worker (see worker.mjs); `next(type)` waits for its next message of that type. */
export function startWorker(script, args, execArgv = process.execArgv) {
  const name = `${script.split('/').pop()} ${args.join(' ')}`;
  const child = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  const inbox = [];
  const wakers = new Set();
  let ended = null;
  const wakeAll = () => {
    for (const wake of wakers) wake();
  };
  child.on('message', (message) => {
    inbox.push(message);
    wakeAll();
  });
  child.on('exit', (code, signal) => {
    ended = { code, signal };
    wakeAll();
  });

  async function next(type, timeoutMs = DEFAULT_TIMEOUT_MS) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = inbox.findIndex((m) => m.type === type || m.type === 'error');
      if (at >= 0) {
        const [message] = inbox.splice(at, 1);
        if (message.type === 'error') throw new Error(`${name}: ${message.error}`);
        return message;
      }
      // A worker that dies or stalls must fail the run, never hang it.
      if (ended) throw new Error(`${name} exited (${ended.code ?? ended.signal}) before '${type}'`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${name}: no '${type}' within ${timeoutMs} ms`);
      await new Promise((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          wakers.delete(done);
          resolve();
        }
        wakers.add(done);
      });
    }
  }

  return {
    next,
    send: (message) => child.send(message),
    stop: () => {
      if (ended === null) child.kill('SIGKILL');
    },
    exited: () => new Promise((resolve) => (ended ? resolve(ended) : child.once('exit', (code, signal) => resolve({ code, signal })))),
  };
}

/**
 * Runs `count` workers of `script` together: waits for all to be ready, releases them at once and waits for each
 * to report 'done'. Wall time runs from the release to the last 'done', both seen by this process.
 * `after(phase)`, if given, runs once every worker is done (outside the wall time): `await phase(name)` asks every
 * worker for its phase `name` at once (see worker.mjs) and resolves with their answers; the phase named 'last'
 * ends them. Whatever `after` resolves with is returned as `after`. `execArgvFor(i)`, if given, is worker i's Node
 * options (e.g. `--cpu-prof` for one of them).
 * The fourth argument is the timeout in ms, or `{ timeoutMs, after, execArgvFor }`.
 */
export async function runTogether(script, argsFor, count, options = {}) {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, after = undefined, execArgvFor = () => process.execArgv } = typeof options === 'number' ? { timeoutMs: options } : options;
  const workers = Array.from({ length: count }, (_, i) => startWorker(script, argsFor(i), execArgvFor(i)));
  try {
    await Promise.all(workers.map((w) => w.next('ready', timeoutMs)));
    const released = wallNow();
    for (const w of workers) w.send({ type: 'go' });
    let lastDone = released;
    const results = await Promise.all(
      workers.map(async (w) => {
        const { result } = await w.next('done', timeoutMs);
        lastDone = Math.max(lastDone, wallNow());
        return result;
      }),
    );
    const wallMs = lastDone - released;
    let afterResult;
    if (after) {
      const phase = (name) => {
        for (const w of workers) w.send({ type: 'phase', name });
        return Promise.all(workers.map(async (w) => (await w.next('phase-done', timeoutMs)).result));
      };
      afterResult = await after(phase);
    }
    await Promise.all(workers.map((w) => w.exited()));
    return { wallMs, results, after: afterResult };
  } finally {
    for (const w of workers) w.stop();
  }
}

/**
 * Waits for a reader worker to report `version` (or a newer one) in a 'seen' message; null when it does not within
 * `giveUpMs` (the feed-latency and fan-out suites count those as "not seen").
 */
export async function seenVersion(reader, version, giveUpMs) {
  const deadline = Date.now() + giveUpMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return null;
    let seen;
    try {
      seen = await reader.next('seen', left);
    } catch (error) {
      if (/no 'seen' within/.test(String(error))) return null;
      throw error;
    }
    if (seen.version >= version) return seen;
  }
}
