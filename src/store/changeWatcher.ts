import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { errorCode, type FileSystem } from './files';
import { recordFileName } from './record';
import type { WatchMode } from './types';

export interface ChangeWatcherOptions {
  fs: FileSystem;
  recordsPath: string;
  mode: WatchMode;
  pollIntervalMs: number;
  /** Something may have changed in key folder `name`; undefined: key folders may have come or gone. */
  onChange(name: string | undefined): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

interface Watched {
  genPath: string;
  /** The next sequence number this instance expects in the generation (what polling looks for). */
  nextSeq: () => number;
  watcher?: nodeFs.FSWatcher;
  heard: boolean;
}

/**
 * Tells the store when a key's generation folder changed. A commit is a link into that folder, so the commit itself
 * is the event: there is no separate publish step that a killed writer could miss.
 *
 * Events: one `fs.watch` per generation folder plus one on `records/` (key folders created or removed).
 * Polling, where file events do not arrive: every `pollIntervalMs`, one lstat per key for its next record's name,
 * and one listing of `records/`. 'auto' starts with polling on Linux network and FUSE file systems, otherwise with
 * events, and switches to polling when this instance's own commit is not echoed by an event within a second.
 * Nothing runs while nothing changes (no timers in event mode); the adapter calls `refresh()` on focus as a backstop.
 */
export class ChangeWatcher {
  mode: 'events' | 'poll';
  private readonly keys = new Map<string, Watched>();
  private root: nodeFs.FSWatcher | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private rootListing = '';
  private echo: { name: string; timer: NodeJS.Timeout; armedAt: number } | undefined;
  private readonly pending = new Set<string | undefined>();
  private flushScheduled = false;
  private disposed = false;

  constructor(private readonly options: ChangeWatcherOptions) {
    this.mode = options.mode === 'poll' || (options.mode === 'auto' && onNetworkFileSystem(options.recordsPath)) ? 'poll' : 'events';
    if (this.mode === 'poll') this.startPolling();
    else this.watchRoot();
  }

  /** Watch one key's generation folder (again, after its generation changed). */
  watch(name: string, genPath: string, nextSeq: () => number): void {
    const old = this.keys.get(name);
    if (old?.genPath === genPath && (old.watcher !== undefined || this.mode === 'poll')) return;
    old?.watcher?.close();
    const watched: Watched = { genPath, nextSeq, heard: false };
    this.keys.set(name, watched);
    if (this.mode === 'events') watched.watcher = this.fsWatch(genPath, () => this.heard(name, watched));
  }

  unwatch(name: string): void {
    this.keys.get(name)?.watcher?.close();
    this.keys.delete(name);
  }

  /** 'auto': this instance just committed to `name`; if no event follows within a second, events are not arriving. */
  expectEcho(name: string): void {
    if (this.options.mode !== 'auto' || this.mode !== 'events' || this.echo !== undefined) return;
    const watched = this.keys.get(name);
    if (watched?.watcher === undefined) return;
    watched.heard = false;
    const arm = (): void => {
      const armedAt = performance.now();
      const timer = setTimeout(() => {
        // A timer that fired late means this process was busy (or frozen): the event may be queued behind it.
        if (performance.now() - armedAt > 1500) return arm();
        this.echo = undefined;
        if (!watched.heard && this.keys.get(name) === watched && !this.disposed) {
          this.options.log('info', 'change feed: file events are not arriving here; polling instead');
          this.switchToPolling();
        }
      }, 1000);
      timer.unref();
      this.echo = { name, timer, armedAt };
    };
    arm();
  }

  dispose(): void {
    this.disposed = true;
    this.root?.close();
    for (const watched of this.keys.values()) watched.watcher?.close();
    this.keys.clear();
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.echo) clearTimeout(this.echo.timer);
  }

  private heard(name: string, watched: Watched): void {
    watched.heard = true;
    if (this.echo?.name === name) {
      clearTimeout(this.echo.timer);
      this.echo = undefined;
    }
    this.note(name);
  }

  private watchRoot(): void {
    this.root = this.fsWatch(this.options.recordsPath, () => this.note(undefined));
  }

  /** A watcher that reports every event and closes itself on error (its folder went): the store then looks again. */
  private fsWatch(path: string, onEvent: () => void): nodeFs.FSWatcher | undefined {
    try {
      const watcher = nodeFs.watch(path, { persistent: false }, onEvent);
      watcher.on('error', () => {
        watcher.close();
        onEvent();
      });
      return watcher;
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') this.options.log('warn', `change feed: cannot watch ${path}: ${String(error)}`);
      return undefined;
    }
  }

  private switchToPolling(): void {
    this.mode = 'poll';
    this.root?.close();
    this.root = undefined;
    for (const watched of this.keys.values()) {
      watched.watcher?.close();
      watched.watcher = undefined;
    }
    this.startPolling();
  }

  private startPolling(): void {
    this.rootListing = this.listRoot();
    this.pollTimer = setInterval(() => this.poll(), this.options.pollIntervalMs);
    this.pollTimer.unref();
  }

  private poll(): void {
    const { fs } = this.options;
    for (const [name, watched] of this.keys) {
      if (!present(fs, join(watched.genPath, recordFileName(watched.nextSeq()))) && present(fs, watched.genPath)) continue;
      this.note(name);
    }
    const listing = this.listRoot();
    if (listing !== this.rootListing) {
      this.rootListing = listing;
      this.note(undefined);
    }
  }

  private listRoot(): string {
    try {
      return this.options.fs.readdirSync(this.options.recordsPath).sort().join('/');
    } catch {
      return '';
    }
  }

  /** Events come in bursts (a link, then collection's unlinks): one look per key per turn of the event loop. */
  private note(name: string | undefined): void {
    this.pending.add(name);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const names = [...this.pending];
      this.pending.clear();
      if (this.disposed) return;
      for (const n of names) this.options.onChange(n);
    });
  }
}

function present(fs: FileSystem, path: string): boolean {
  try {
    fs.lstatSync(path, { bigint: true });
    return true;
  } catch {
    return false;
  }
}

/** Linux file systems whose changes by other machines (or the Windows side of WSL) raise no inotify events. */
const networkMagic = new Set([
  0x6969, // NFS
  0x517b, // SMB
  0xff534d42, // CIFS
  0xfe534d42, // SMB2
  0x01021997, // 9p (WSL's /mnt, VM shares)
  0x65735546, // FUSE (sshfs, …)
  0x00c36400, // Ceph
]);

function onNetworkFileSystem(path: string): boolean {
  if (process.platform !== 'linux') return false;
  try {
    return networkMagic.has(Number(nodeFs.statfsSync(path).type));
  } catch {
    return false;
  }
}
