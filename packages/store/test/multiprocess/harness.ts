import { ChildProcess, execFileSync, fork } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const pkg = resolve(__dirname, '../..');
const workerPath = join(__dirname, 'worker.cjs');

/**
 * Builds the package if its dist is missing and copies the built module into a private folder, so that another
 * `npm run build` (which empties dist/) cannot pull it away from running workers.
 */
export function builtStore(workDir: string): string {
  const built = join(pkg, 'dist/index.js');
  if (!existsSync(built)) execFileSync(process.execPath, [join(pkg, 'scripts/build.mjs')], { cwd: pkg, stdio: 'inherit' });
  const copy = join(workDir, 'store.cjs');
  copyFileSync(built, copy);
  return copy;
}

/** Each key's generation folder (`records/<name>/g-<gen>`), where its record files are. */
export function recordFolders(storage: string): string[] {
  const records = join(storage, 'records');
  return readdirSync(records).flatMap((name) => readdirSync(join(records, name)).filter((g) => g.startsWith('g-')).map((g) => join(records, name, g)));
}

export function tempFolder(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bm-mp-'));
  // Retried: a worker killed a moment ago may still have a step in flight.
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }) };
}

export type Message = { type: string } & Record<string, unknown>;

/** One worker process and the messages it has sent. */
export class Worker {
  readonly child: ChildProcess;
  readonly messages: Message[] = [];
  private waiters: Array<{ match: (m: Message) => boolean; resolve: (m: Message) => void }> = [];
  readonly exited: Promise<number | null>;

  /** `launcher`: a command that starts Node (e.g. `unshare -p -f --kill-child` for another pid namespace). */
  constructor(role: string, options: Record<string, unknown>, launcher?: string[]) {
    const [execPath, ...execArgv] = launcher ?? [];
    const launch = execPath === undefined ? {} : { execPath, execArgv: [...execArgv, process.execPath] };
    this.child = fork(workerPath, [role, JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...launch });
    this.child.on('message', (m: Message) => {
      this.messages.push(m);
      if (m.type === 'error') console.error(`worker ${role} error: ${String(m.message)}`);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(m)) return true;
        w.resolve(m);
        return false;
      });
    });
    this.exited = new Promise((resolveExit) => this.child.on('exit', (code) => resolveExit(code)));
  }

  /** The first message (already received or future) matching `type` and `match`. */
  next(type: string, match: (m: Message) => boolean = () => true): Promise<Message> {
    const test = (m: Message): boolean => m.type === type && match(m);
    const found = this.messages.find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolveMessage) => this.waiters.push({ match: test, resolve: resolveMessage }));
  }

  /** The n-th (1-based) message of `type`, already received or future. */
  nth(type: string, n: number): Promise<Message> {
    let seen = 0;
    const counted = new WeakSet<Message>();
    return this.next(type, (m) => {
      if (!counted.has(m)) {
        counted.add(m);
        seen++;
      }
      return seen >= n;
    });
  }

  send(message: Message): void {
    this.child.send(message);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }
}

/** A process is stopped (SIGSTOP), as Linux's /proc says; false when it has exited or /proc cannot tell. */
export function stopped(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('T') ?? false;
  } catch {
    return false;
  }
}

/** Resolves once process `pid` is stopped (it froze itself with SIGSTOP); fails after 20 s, naming `what`. */
export async function untilStopped(pid: number, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!stopped(pid)) {
    if (Date.now() > deadline) throw new Error(`${what} ${pid} meant to freeze itself did not`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
