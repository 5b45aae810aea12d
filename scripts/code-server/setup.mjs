// Installs what real VS Code needs here, idempotently: Debian packages (chromium, ripgrep, krb5 headers, sqlite3)
// and code-server into a cache folder of its own (not the extension's dependencies: it is large and only
// `npm start` and the e2e suite need it). Usable as a module (`ensureCodeServer()`) and as a script.
// Facts behind each step: shared notes "code-server.md".
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';

/**
 * Where code-server is cached: outside the clone (`$XDG_CACHE_HOME` or ~/.cache), so every clone on one machine —
 * CI's fresh clone included — reuses one install. `BREATH_MASTER_CODE_SERVER_CACHE` overrides.
 */
export function cacheDir() {
  if (process.env.BREATH_MASTER_CODE_SERVER_CACHE) return process.env.BREATH_MASTER_CODE_SERVER_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'breath-master', 'code-server', CODE_SERVER_VERSION);
}

export function codeServerBin() {
  return join(cacheDir(), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

const APT_PACKAGES = [
  // [command or file that proves it is there, Debian package]
  ['/usr/bin/chromium', 'chromium'],
  ['/usr/bin/rg', 'ripgrep'],
  ['/usr/include/krb5.h', 'libkrb5-dev'],
  ['/usr/bin/sqlite3', 'sqlite3'],
];

function log(message) {
  process.stderr.write(`[code-server setup] ${message}\n`);
}

function ensureAptPackages() {
  const missing = APT_PACKAGES.filter(([file]) => !existsSync(file)).map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  log(`apt-get install ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const run = (args) => execFileSync(sudo[0] ?? args[0], sudo.length ? args : args.slice(1), { stdio: 'inherit', env });
  run(['apt-get', 'update']);
  run(['apt-get', 'install', '-y', '--no-install-recommends', ...missing]);
}

/** @vscode/ripgrep's postinstall downloads `rg` from the internet; it first looks in this cache, so seed it. */
function seedRipgrepCache() {
  const dir = join(process.env.TMPDIR ?? tmpdir(), 'vscode-ripgrep-cache-1.15.11');
  const tarball = join(dir, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');
  if (existsSync(tarball)) return;
  mkdirSync(dir, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'rg-seed-'));
  try {
    copyFileSync('/usr/bin/rg', join(staging, 'rg'));
    execFileSync('tar', ['-czf', `${tarball}.part`, '-C', staging, 'rg']);
    execFileSync('mv', [`${tarball}.part`, tarball]);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function installedOk() {
  if (!existsSync(join(cacheDir(), '.complete'))) return false;
  const r = spawnSync(process.execPath, [codeServerBin(), '--version'], { encoding: 'utf8', timeout: 120_000 });
  return r.status === 0 && r.stdout.startsWith(CODE_SERVER_VERSION);
}

/** Makes sure code-server (and the system packages) are installed; returns the path of its entry script. */
export function ensureCodeServer() {
  ensureAptPackages();
  if (installedOk()) return codeServerBin();
  const started = Date.now();
  const dir = cacheDir();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // A package.json of its own, so npm installs here and never walks up into the extension's project.
  // npm 11 skips dependency install scripts unless allowed; code-server's postinstall is what installs VS Code's
  // server dependencies and builds its native modules (node-pty, kerberos, spdlog, …), so allow exactly these.
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'code-server-cache', private: true, allowScripts: { [`code-server@${CODE_SERVER_VERSION}`]: true, argon2: true } }, null, 2),
  );
  seedRipgrepCache();
  log(`npm install code-server@${CODE_SERVER_VERSION} into ${dir} (about a minute)`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: dir,
    stdio: 'inherit',
    env: {
      ...process.env,
      // Its postinstall refuses to run as root without this; node-pty's runs `npx node-gyp`, which would ask "yes?".
      npm_config_unsafe_perm: 'true',
      npm_config_yes: 'true',
      npm_config_ignore_scripts: 'false',
      // The postinstall runs nested `npm install`s in code-server's own folders (no allowScripts of ours there).
      npm_config_dangerously_allow_all_scripts: 'true',
      npm_config_update_notifier: 'false',
    },
  });
  if (!existsSync(codeServerBin())) throw new Error(`code-server install finished but ${codeServerBin()} is missing`);
  const version = spawnSync(process.execPath, [codeServerBin(), '--version'], { encoding: 'utf8', timeout: 120_000 });
  if (version.status !== 0 || !version.stdout.startsWith(CODE_SERVER_VERSION)) {
    throw new Error(`code-server was installed but \`code-server --version\` fails: ${version.status} ${version.stdout} ${version.stderr}`);
  }
  // Written last: a half-finished install (killed, offline) is redone next time rather than trusted.
  writeFileSync(join(dir, '.complete'), `${new Date().toISOString()} ${Date.now() - started} ms\n`);
  log(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return codeServerBin();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = Date.now();
  const bin = ensureCodeServer();
  log(`ready: ${bin} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
