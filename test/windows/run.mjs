// `npm run test:windows`: the store's multi-process suite (suite.cjs) with Windows semantics. On Linux it runs the
// Windows build of Node under Wine (scripts/wine/setup.mjs installs both); on Windows, this Node. Uses the built
// store (@breath-master/store as Node resolves it: packages/store/dist/index.js; BM_STORE_MODULE=<path> runs another build of it, e.g. an older commit's). Fails —
// never skips — when Wine is missing, unless BM_SKIP_WINDOWS=1.
//
// What Wine does not show (a GitHub Actions windows-latest job does): NTFS's own 64-bit file ids (Wine reports the
// Linux inode), antivirus and indexers holding files open, NTFS caching and timing, and — as root — the read-only
// attribute. Wine's share modes and open-file checks are its own, close to but not NTFS's.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

if (process.env.BM_SKIP_WINDOWS === '1') {
  console.log('[windows] skipped: BM_SKIP_WINDOWS=1');
  process.exit(0);
}
/** The built package by its name, as any other program would load it ('' when it is not built). */
function builtPackage() {
  try {
    return createRequire(join(root, 'package.json')).resolve('@breath-master/store');
  } catch {
    return '';
  }
}
const built = process.env.BM_STORE_MODULE ? resolve(process.env.BM_STORE_MODULE) : builtPackage();
if (built === '' || !existsSync(built)) {
  console.error(`[windows] the built @breath-master/store (${built || 'packages/store/dist/index.js'}) is missing: run npm run build first`);
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'bm-windows-'));
const store = join(work, 'store.cjs');
copyFileSync(built, store);
copyFileSync(join(here, 'suite.cjs'), join(work, 'suite.cjs'));
const resultsFile = join(work, 'results.json');
const started = Date.now();
let status;
if (process.platform === 'win32') {
  status = spawnSync(process.execPath, [join(work, 'suite.cjs'), store, work, resultsFile], { stdio: 'inherit', timeout: 600_000 }).status;
} else {
  const { ensureWine, winPath, WINE64 } = await import('../../scripts/wine/setup.mjs');
  let wine;
  try {
    wine = ensureWine();
  } catch (e) {
    console.error(`[windows] ${e instanceof Error ? e.message : String(e)} (BM_SKIP_WINDOWS=1 skips this suite)`);
    console.log('windows: 0 passed, 7 failed');
    process.exit(1);
  }
  const { nodeExe, env } = wine;
  // node.exe's stdout and stderr go to files: a Unix pipe as its stdout makes it throw EBADF.
  const out = join(work, 'node.out');
  const r = spawnSync('sh', ['-c', `"$0" "$@" >"${out}" 2>&1`, WINE64, nodeExe, winPath(join(work, 'suite.cjs')), winPath(store), winPath(work), winPath(resultsFile)], { env, stdio: 'inherit', timeout: 600_000 });
  status = r.status;
  if (existsSync(out)) process.stdout.write(readFileSync(out, 'utf8'));
}

const report = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : { results: [] };
const results = report.results;
console.log(`[windows] ${report.platform ?? '?'} node ${report.node ?? '?'}, ${((Date.now() - started) / 1000).toFixed(1)} s, exit ${status}`);
for (const r of results) console.log(`  ${r.ok ? '✓' : '✗'} ${r.name}: ${r.detail} (${(r.ms / 1000).toFixed(1)} s)`);
const expected = ['sequential', 'contention', 'feed', 'kills', 'counter', 'counter-kills', 'log'];
const missing = expected.filter((name) => !results.some((r) => r.name === name));
for (const name of missing) console.log(`  ✗ ${name}: did not run`);
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed + missing.length;
if (failed === 0 && report.platform === 'win32') rmSync(work, { recursive: true, force: true });
else console.log(`[windows] work folder kept: ${work}`);
console.log(`windows: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && report.platform === 'win32' ? 0 : 1);
