// Single-process costs of the store: cached get() rate and update() as keys and history grow.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTogether } from '../lib/processes.mjs';
import { median, round } from '../lib/stats.mjs';

const getWorker = fileURLToPath(new URL('../workers/get-rate.mjs', import.meta.url));
const growthWorker = fileURLToPath(new URL('../workers/growth.mjs', import.meta.url));

async function inTempDir(prefix, body) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function getRate({ calls, rounds, log }) {
  const { results } = await inTempDir('bm-bench-get-', (dir) => runTogether(getWorker, () => [dir, String(calls), String(rounds)], 1));
  const perSecond = results[0].perSecond;
  log(`get: ${perSecond.map((r) => round(r / 1e6)).join(', ')} M/s`);
  return { calls, rounds, perSecond, medianPerSecond: median(perSecond) };
}

export async function growth({ keyPoints, historyPoints, perBatch, batches, log }) {
  const run = (kind, points) =>
    inTempDir(`bm-bench-growth-${kind}-`, async (dir) => {
      const { results } = await runTogether(growthWorker, () => [kind, dir, points.join(','), String(perBatch), String(batches)], 1, 600_000);
      for (const p of results[0].points) {
        log(`growth ${kind} ${p.target}: ${p.keys} keys, v${p.priorVersions}, update median ${round(p.medianMs)} ms, largest key folder ${p.filesAfter.largestKeyFolder} files`);
      }
      return results[0].points;
    });
  return { perBatch, batches, keys: await run('keys', keyPoints), history: await run('history', historyPoints) };
}
