// Puts the figures of a partial run (`node bench/run.mjs --only=…`, written to the temp folder) into the committed
// bench/results.json, suite by suite, and renders bench/results.md again — without touching the other suites' figures.
//   node bench/merge-results.mjs [path/to/partial/results.json]   (default: $TMPDIR/bm-bench-results/results.json)
// The merged suites keep their own machine, source and duration under `measuredApart.<suite>`, and results.md says
// they were measured apart. A --quick run is refused: its figures have too few repeats to stand beside full ones.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderMarkdown } from './report.mjs';

/** The keys of results.json each suite writes. */
const KEYS = { contention: ['contention', 'lockfileTuning'], cost: ['cost'], fanout: ['fanout'], feed: ['feed'], get: ['get'], growth: ['growth'], log: ['log'] };

const here = dirname(fileURLToPath(import.meta.url));
const from = process.argv[2] ?? join(os.tmpdir(), 'bm-bench-results', 'results.json');
const partial = JSON.parse(readFileSync(from, 'utf8'));
if (partial.quick) throw new Error(`${from} is a --quick run: merge only full-repeat runs (node bench/run.mjs --only=…)`);
const committed = JSON.parse(readFileSync(join(here, 'results.json'), 'utf8'));
for (const suite of partial.suites) {
  if (!KEYS[suite]) throw new Error(`unknown suite ${suite}`);
  for (const key of KEYS[suite]) {
    if (partial[key] === undefined) delete committed[key];
    else committed[key] = partial[key];
  }
  if (!committed.suites.includes(suite)) committed.suites.push(suite);
  committed.measuredApart = { ...committed.measuredApart, [suite]: { machine: partial.machine, source: partial.source, durationSec: partial.durationSec } };
}
writeFileSync(join(here, 'results.json'), `${JSON.stringify(committed, null, 1)}\n`);
writeFileSync(join(here, 'results.md'), `${renderMarkdown(committed)}\n`);
console.log(`merged ${partial.suites.join(', ')} from ${from} into bench/results.json and bench/results.md`);
