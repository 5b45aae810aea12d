// Summarizes a V8 CPU profile (`node --cpu-prof`, a .cpuprofile JSON) by self time: where one process's thread
// spent the measured stretch. '(idle)' is the thread waiting (for the thread pool's fsyncs, file events, timers),
// '(program)' native work V8 cannot attribute to a JS function, '(garbage collector)' GC.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * Self time per function (µs) between `fromUs` and `toUs` (V8's monotonic clock; the whole profile without them),
 * the `top` largest, and the totals per group: idle, program, GC, the store's bundle, Node's own modules, the rest.
 * `paths`: [label, function-name RegExp] pairs; each sample counts for the first label one of its callers (or the
 * function itself) matches, so self time adds up by what it was done FOR (e.g. reading other windows' writes).
 */
export function summarizeCpuProfile(file, { fromUs = -Infinity, toUs = Infinity, top = 15, storeFile = 'index.js', paths = [] } = {}) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const pathOf = (id) => {
    const names = [];
    for (let at = id; at !== undefined; at = parent.get(at)) names.push(byId.get(at).callFrame.functionName);
    for (const [label, pattern] of paths) if (names.some((n) => pattern.test(n))) return label;
    return 'other';
  };
  const self = new Map();
  let at = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    // A sample stands for the time until the next one.
    const span = profile.timeDeltas[i + 1] ?? 0;
    if (at < fromUs || at > toUs) continue;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + span);
    total += span;
  }
  const functions = new Map();
  const groups = { idle: 0, program: 0, gc: 0, store: 0, node: 0, other: 0 };
  const byPath = new Map();
  for (const [id, us] of self) {
    const label = pathOf(id);
    byPath.set(label, (byPath.get(label) ?? 0) + us);
    const { callFrame } = byId.get(id);
    const where = callFrame.url ? `${basename(callFrame.url)}:${callFrame.lineNumber + 1}` : '';
    const name = `${callFrame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    const fn = callFrame.functionName;
    if (fn === '(idle)') groups.idle += us;
    else if (fn === '(program)') groups.program += us;
    else if (fn === '(garbage collector)') groups.gc += us;
    else if (callFrame.url.endsWith(`/${storeFile}`)) groups.store += us;
    else if (callFrame.url.startsWith('node:') || callFrame.url === '') groups.node += us;
    else groups.other += us;
  }
  const share = (us) => (total > 0 ? us / total : 0);
  return {
    sampledMs: total / 1000,
    groups: Object.fromEntries(Object.entries(groups).map(([k, us]) => [k, { ms: us / 1000, share: share(us) }])),
    paths: [...byPath.entries()].sort((a, b) => b[1] - a[1]).map(([label, us]) => ({ label, ms: us / 1000, share: share(us) })),
    top: [...functions.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, ms: us / 1000, share: share(us) })),
  };
}
