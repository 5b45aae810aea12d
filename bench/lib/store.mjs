// The benchmarks measure the BUILT store, exactly what other extensions get from require('breath-master/store').
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const builtStore = join(repoRoot, 'dist', 'store', 'index.js');

export function loadStore() {
  if (!existsSync(builtStore)) {
    throw new Error(`${builtStore} is missing: run \`npm run build\` first (npm run bench and npm run demo do).`);
  }
  return createRequire(import.meta.url)(builtStore);
}
