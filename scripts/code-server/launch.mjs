// Starts one sandboxed code-server: a free loopback port chosen now, a fresh user-data-dir and extensions-dir,
// settings written before start (the only way a setting reaches every window), VSIX files installed, and a
// stop() that ends the whole process group. Shared by `npm start` and the e2e suite.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CODE_SERVER_VERSION, ensureCodeServer, runtimeOf } from './setup.mjs';

const execFileP = promisify(execFile);

/** Debian's Chromium, which drives VS Code's workbench in the e2e suite, the extension benchmark and the screenshots. */
export const CHROMIUM = '/usr/bin/chromium';
/** Its arguments: headless on a server with no GPU, nothing fetched from the network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Background windows must keep running their timers like a real desktop window does.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/** Settings every sandbox gets: without the first, the folder opens in Restricted Mode and no extension activates. */
export const BASE_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
};

/** A port the kernel says is free right now on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function answers(url) {
  return new Promise((resolve) => {
    const req = get(url, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(false);
    });
  });
}

/** code-server lets $PORT override --bind-addr; the port we chose (and wait on) must win. */
function serverEnv(sandbox) {
  const env = { ...(sandbox.env ?? process.env) };
  delete env.PORT;
  delete env.VSCODE_PROXY_URI;
  return env;
}

/** Every group we started, so an exiting parent can still end them (synchronously, in 'exit'). */
const running = new Set();
process.on('exit', () => {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/**
 * Writes the sandbox's user settings. With `keep` (a profile kept between runs, as `npm start`'s), a file that
 * exists is the user's: only the keys it lacks are added, every value in it stays (a setting changed in the demo
 * survives a restart), and a file that is not plain JSON (comments, a half-made edit) is left as it is rather than
 * replaced. Without `keep` (a fresh sandbox per run) the file is written whole.
 * @param {string} file
 * @param {Record<string, unknown>} settings
 * @param {{ keep?: boolean }} [options]
 * @returns {'written' | 'merged' | 'unchanged' | 'unreadable'}
 */
export function writeUserSettings(file, settings, options = {}) {
  if (!options.keep || !existsSync(file)) {
    writeFileSync(file, JSON.stringify(settings, null, 2));
    return 'written';
  }
  let current;
  try {
    current = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return 'unreadable';
  }
  if (typeof current !== 'object' || current === null || Array.isArray(current)) return 'unreadable';
  const missing = Object.keys(settings).filter((key) => !Object.hasOwn(current, key));
  if (missing.length === 0) return 'unchanged';
  for (const key of missing) current[key] = settings[key];
  writeFileSync(file, JSON.stringify(current, null, 2));
  return 'merged';
}

/**
 * Creates a sandbox (folders + settings + installed extensions) without starting a server.
 * @param {{ root?: string, settings?: Record<string, unknown>, keepUserSettings?: boolean, vsix?: string[], version?: string }} options
 *   `version`: the code-server version (default: the oldest supported, see setup.mjs). `keepUserSettings`: the
 *   settings are defaults for keys the existing settings file lacks (see writeUserSettings).
 */
export async function createSandbox(options = {}) {
  const version = options.version ?? CODE_SERVER_VERSION;
  const codeServer = ensureCodeServer(version);
  // The Node that version runs on (this one, or Node 24 from the cache) and a PATH that puts it first.
  const { node, env } = runtimeOf(version);
  const root = options.root ?? mkdtempSync(join(tmpdir(), 'breath-master-vscode-'));
  const userDataDir = join(root, 'data');
  const extensionsDir = join(root, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const settingsFile = join(userDataDir, 'User', 'settings.json');
  const written = writeUserSettings(settingsFile, { ...BASE_SETTINGS, ...options.settings }, { keep: options.keepUserSettings });
  if (written === 'unreadable') process.stderr.write(`Left ${settingsFile} as it is: it is not plain JSON, so no default was added to it.\n`);
  writeFileSync(join(root, 'config.yaml'), 'auth: none\n');
  const sandbox = { root, userDataDir, extensionsDir, codeServer, version, node, env };
  for (const vsix of options.vsix ?? []) await installExtension(sandbox, vsix);
  return sandbox;
}

/** `code-server --install-extension` into the sandbox (also how an upgrade replaces an older version). */
export async function installExtension(sandbox, vsix) {
  await execFileP(
    sandbox.node ?? process.execPath,
    [sandbox.codeServer, '--user-data-dir', sandbox.userDataDir, '--extensions-dir', sandbox.extensionsDir, '--force', '--install-extension', vsix],
    { timeout: 120_000, env: serverEnv(sandbox) },
  );
}

/**
 * Starts code-server on the sandbox and waits until it answers.
 * @param {{ root: string, userDataDir: string, extensionsDir: string, codeServer: string, node?: string, env?: NodeJS.ProcessEnv }} sandbox
 * @param {{ port?: number, folder: string, log?: string }} options
 */
export async function startServer(sandbox, options) {
  const port = options.port ?? (await freePort());
  const args = [
    sandbox.codeServer,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    // A config file of the sandbox's own: otherwise code-server creates ~/.config/code-server/config.yaml.
    '--config', join(sandbox.root, 'config.yaml'),
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', sandbox.userDataDir,
    '--extensions-dir', sandbox.extensionsDir,
    options.folder,
  ];
  const logFile = options.log ?? join(sandbox.userDataDir, '..', 'code-server.log');
  const { openSync } = await import('node:fs');
  const out = openSync(logFile, 'a');
  // Own process group (detached), so stop() also ends the extension hosts and file watchers it forks.
  const child = spawn(sandbox.node ?? process.execPath, args, { detached: true, stdio: ['ignore', out, out], env: serverEnv(sandbox) });
  const pid = child.pid;
  if (pid === undefined) throw new Error('code-server did not start');
  running.add(pid);
  let exited = false;
  const exitedP = new Promise((resolve) => child.once('exit', (code, signal) => { exited = true; running.delete(pid); resolve({ code, signal }); }));

  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 90_000;
  while (!(await answers(`${url}healthz`))) {
    if (exited) throw new Error(`code-server exited before answering; see ${logFile}`);
    if (Date.now() > deadline) {
      process.kill(-pid, 'SIGKILL');
      throw new Error(`code-server did not answer on ${url} within 90 s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  async function stop() {
    if (exited) return;
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await exitedP;
    clearTimeout(timer);
    // Stragglers of the group (extension hosts) must not outlive the test either.
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // none left
    }
  }

  const folderUrl = `${url}?folder=${encodeURIComponent(options.folder)}`;
  return { port, url, folderUrl, pid, logFile, stop };
}

/** Removes a sandbox's folders (call after stop()). */
export function removeSandbox(sandbox) {
  rmSync(sandbox.root, { recursive: true, force: true });
}
