// The benchmarks measure the BUILT store, exactly what other extensions get from require('@breath-master/store').
// run.mjs snapshots the build into a temp folder first (BM_BENCH_STORE, inherited by every worker): the bundle is
// self-contained, and a rebuild elsewhere during the run (the build deletes dist/ first) must not break or mix it.
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built package by its name, as Node resolves it for any other program (packages/store/dist/index.js). */
function builtStore() {
  try {
    return createRequire(join(repoRoot, 'package.json')).resolve('@breath-master/store');
  } catch {
    return join(repoRoot, 'packages', 'store', 'dist', 'index.js'); // not built: the message below says so
  }
}

export function loadStore() {
  const path = process.env.BM_BENCH_STORE ?? builtStore();
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run \`npm run build\` first (npm run bench and npm run demo do).`);
  }
  return createRequire(import.meta.url)(path);
}

/** Copies the built store aside for this run and points this process and its workers at the copy. */
export function snapshotStore() {
  const built = builtStore();
  if (!existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first (npm run bench does).`);
  const dir = mkdtempSync(join(tmpdir(), 'bm-bench-store-'));
  const copy = join(dir, 'index.js');
  copyFileSync(built, copy);
  process.env.BM_BENCH_STORE = copy;
  return dir;
}
