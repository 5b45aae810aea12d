// One clock for timestamps that are compared ACROSS processes on this host: wall time with sub-millisecond
// resolution. `performance.timeOrigin` is taken from the wall clock when each process starts and `performance.now()`
// is monotonic from there, so two processes agree to well under a millisecond over a benchmark's few minutes.
export const wallNow = () => performance.timeOrigin + performance.now();

/**
 * The same clock, anchored to the system clock when called rather than at process start: `performance.timeOrigin`
 * was found up to 77 ms off the system clock in Node processes started together on the busy 2-core machine (the
 * process was descheduled between the two readings it is made of), which shows as a constant lag of one process.
 * Spins until `Date.now()` ticks over a millisecond and takes that moment against `performance.now()`, a few times,
 * keeping the reading least delayed by descheduling. Returns `{ now, skewMs }`: the anchored clock and how far
 * `wallNow()` was from it in this process.
 */
export function anchoredClock(tries = 5) {
  let origin = -Infinity;
  for (let i = 0; i < tries; i++) {
    const before = Date.now();
    let tick;
    while ((tick = Date.now()) === before) {
      // spin to the edge of the next millisecond
    }
    origin = Math.max(origin, tick - performance.now());
  }
  return { now: () => origin + performance.now(), skewMs: performance.timeOrigin - origin };
}
