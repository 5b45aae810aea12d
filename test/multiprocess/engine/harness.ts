import { ChildProcess, execFileSync, fork } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(__dirname, '../../..');

export function tempFolder(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bm-engine-mp-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The BUILT @breath-master/store, found by its name: the package's `require` export. (Not require.resolve: inside
 * vitest, Node runs with `--conditions breath-master-source`, which would answer with the TypeScript source.)
 */
function resolveBuiltStore(): string {
  const manifest = createRequire(join(root, 'package.json')).resolve('@breath-master/store/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: { '.': { require: string } } };
  return join(dirname(manifest), exports['.'].require);
}

/**
 * Prepares what workers run: the BUILT store (built if it is not), copied so a concurrent `npm run build`
 * cannot pull it away, and the engine worker bundled from source with esbuild.
 */
export async function prepareWorkers(workDir: string): Promise<{ storeModule: string; workerScript: string }> {
  const built = resolveBuiltStore();
  if (!existsSync(built)) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  const storeModule = join(workDir, 'store.cjs');
  copyFileSync(built, storeModule);
  const workerScript = join(workDir, 'engine-worker.cjs');
  await build({
    entryPoints: [join(__dirname, 'worker.ts')],
    outfile: workerScript,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Minified like the extension bundle: nothing may depend on names surviving.
    minify: true,
    logLevel: 'warning',
    absWorkingDir: root,
    // The engine's own import of @breath-master/store (Emitter) from source; the store the workers use is the built one.
    conditions: ['breath-master-source'],
  });
  return { storeModule, workerScript };
}

type Message = { type: string; [k: string]: unknown };

/** One worker process ("window"): request/reply over IPC, plus the events it forwarded. */
export class EngineWindow {
  readonly child: ChildProcess;
  readonly events: Message[] = [];
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private eventWaiters: Array<{ match: (m: Message) => boolean; resolve: (m: Message) => void }> = [];

  constructor(workerScript: string, options: { storeModule: string; dir: string; clientId: string }) {
    this.child = fork(workerScript, [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let onReady: () => void = () => undefined;
    this.ready = new Promise((r) => (onReady = r));
    this.exited = new Promise((r) => this.child.on('exit', (code) => r(code)));
    this.child.on('message', (m: Message) => {
      if (m.type === 'ready') return onReady();
      if (m.type === 'reply') {
        const p = this.pending.get(m.id as number);
        this.pending.delete(m.id as number);
        if (typeof m.error === 'string') p?.reject(new Error(m.error));
        else p?.resolve(m.result);
        return;
      }
      this.events.push(m);
      this.eventWaiters = this.eventWaiters.filter((w) => {
        if (!w.match(m)) return true;
        w.resolve(m);
        return false;
      });
    });
  }

  request<T = unknown>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolvePromise, reject) => {
      this.pending.set(id, { resolve: resolvePromise as (v: unknown) => void, reject });
      this.child.send({ id, cmd, ...args });
    });
  }

  /** The first forwarded event (past or future) that matches. */
  event(match: (m: Message) => boolean): Promise<Message> {
    const found = this.events.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((r) => this.eventWaiters.push({ match, resolve: r }));
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await this.request('exit').catch(() => undefined);
    await this.exited;
  }

  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
