// One clock for timestamps that are compared ACROSS processes on this host: wall time with sub-millisecond
// resolution. `performance.timeOrigin` is taken from the wall clock when each process starts and `performance.now()`
// is monotonic from there, so two processes agree to well under a millisecond over a benchmark's few minutes.
export const wallNow = () => performance.timeOrigin + performance.now();
