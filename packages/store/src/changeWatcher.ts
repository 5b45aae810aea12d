import * as nodeFs from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { errorCode, type FileSystem } from './files';
import { recordFileName, sequenceOf, sequencesIn } from './record';
import type { WatchMode } from './types';

export interface ChangeWatcherOptions {
  fs: FileSystem;
  recordsPath: string;
  mode: WatchMode;
  pollIntervalMs: number;
  /** Something may have changed in key folder `name`; undefined: key folders may have come or gone. `file`: the
   *  one file the events of this turn named, or the newest record among them when each named a record (lets the
   *  store skip a listing: the store ignores a record below its known head, so the newest decides for all). */
  onChange(name: string | undefined, file?: string): void;
  /** Called after every poll, while polling. */
  onPoll?(): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

interface Watched {
  genPath: string;
  watcher?: nodeFs.FSWatcher;
  heard: boolean;
  /** Polling: the generation folder's file id and change time when last looked at. */
  stamp?: string;
  /** Polling: when the stamp last changed (or the watch began), by this process's clock. */
  stampedAt?: number;
  /** Polling, while the stamp is recent: the newest record the folder held when last listed. */
  newest?: string;
}

/**
 * Folder times may be coarse: whole seconds over SFTP (sshfs, where ctime = mtime too), 2 s on FAT, 1 s on HFS+ and
 * some NFS servers. A commit within the same tick of that clock as the one before changes nothing in the stamp, so
 * for this long after a stamp changed a poll also lists the folder. By then any further commit falls into a later
 * tick of the file system's clock — whatever its offset from ours: the change was seen after it happened — and
 * changes the stamp.
 */
const coarseTimesMs = 2000;

/**
 * Tells the store when a key's generation folder changed. A commit is a link into that folder, so the commit itself
 * is the event: there is no separate publish step that a killed writer could miss.
 *
 * Events: one `fs.watch` per generation folder plus one on `records/` (key folders created or removed).
 * Polling, where file events do not arrive: every `pollIntervalMs`, one lstat per generation folder (a commit
 * changes its change time) and one listing of `records/`. 'auto' starts with polling on Linux network and FUSE file systems, otherwise with
 * events, and switches to polling when this instance's own commit is not echoed by an event within a second.
 * Nothing runs while nothing changes (no timers in event mode); the adapter calls `refresh()` on focus as a backstop.
 */
export class ChangeWatcher {
  mode: 'events' | 'poll';
  private readonly keys = new Map<string, Watched>();
  private root: nodeFs.FSWatcher | undefined;
  /** The storage folder, watched for `records/` itself going (see `watchRoot`). */
  private storage: nodeFs.FSWatcher | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private rootListing = '';
  private echo: { name: string; timer: NodeJS.Timeout; armedAt: number } | undefined;
  /** Key folder names (undefined: all) → the file named by this turn's events (the newest record), '' if unknown. */
  private readonly pending = new Map<string | undefined, Set<string>>();
  private flushScheduled = false;
  private disposed = false;
  /** Polling only until the removed storage folder is back, then watching again. */
  private rootLost = false;
  /** Events arrived from `records/` this turn. */
  private rootChanged = false;

  constructor(private readonly options: ChangeWatcherOptions) {
    this.mode = options.mode === 'poll' || (options.mode === 'auto' && onNetworkFileSystem(options.recordsPath)) ? 'poll' : 'events';
    if (this.mode === 'poll') this.startPolling();
    else this.watchRoot();
  }

  /** Watch one key's generation folder (again, after its generation changed). */
  watch(name: string, genPath: string): void {
    // An update still in flight when the store was disposed commits and looks again: it must open nothing.
    if (this.disposed) return;
    const old = this.keys.get(name);
    if (old?.genPath === genPath && (old.watcher !== undefined || this.mode === 'poll')) return;
    old?.watcher?.close();
    const watched: Watched = { genPath, heard: false };
    if (this.mode === 'poll') this.restamp(watched, performance.now());
    this.keys.set(name, watched);
    if (this.mode === 'events') watched.watcher = this.fsWatch(genPath, (file) => this.heard(name, watched, file));
    // A commit between the caller's last look and the watch starting raised no event for us: look once more.
    this.note(name);
  }

  unwatch(name: string): void {
    this.keys.get(name)?.watcher?.close();
    this.keys.delete(name);
  }

  /** 'auto': this instance just committed to `name`; if no event follows within a second, events are not arriving. */
  expectEcho(name: string): void {
    if (this.disposed || this.options.mode !== 'auto' || this.mode !== 'events' || this.echo !== undefined) return;
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

  /** Closes every watcher and timer; afterwards every method does nothing. */
  dispose(): void {
    this.disposed = true;
    this.closeRoot();
    for (const watched of this.keys.values()) watched.watcher?.close();
    this.keys.clear();
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    if (this.echo) clearTimeout(this.echo.timer);
    this.echo = undefined;
  }

  private heard(name: string, watched: Watched, file: string | undefined): void {
    watched.heard = true;
    if (this.echo?.name === name) {
      clearTimeout(this.echo.timer);
      this.echo = undefined;
    }
    this.note(name, file ?? '');
  }

  /**
   * Watches `records/` and, for its removal, the storage folder that holds it. A removed folder's own watchers are
   * told (IN_DELETE_SELF) only once no process holds it open — and every window that committed holds its generation
   * folder open (for the folder fsync), which keeps the key folder and `records/` above it pinned too, for as long
   * as that window is frozen. The parent's listing is told of a removal at once, pinned or not: so `records/` is
   * watched from the storage folder, as key folders are from `records/`.
   */
  private watchRoot(): void {
    this.closeRoot();
    const onEvent = (): void => {
      this.rootChanged = true;
      this.note(undefined);
    };
    this.storage = this.fsWatch(dirname(this.options.recordsPath), onEvent);
    this.root = this.storage && this.fsWatch(this.options.recordsPath, onEvent);
    if (this.root === undefined) this.rootGone();
  }

  private closeRoot(): void {
    this.root?.close();
    this.root = undefined;
    this.storage?.close();
    this.storage = undefined;
  }

  /**
   * After events in `records/`, watch whatever folder stands at its path now. The one watched may have been removed
   * and another made in its place, whose events the old watcher never sees; a file id cannot tell the two apart
   * (ext4 hands a freed inode out again at once). Such events are rare: key folders come and go, commits do not.
   */
  private renewRoot(): void {
    this.rootChanged = false;
    if (this.mode !== 'events') return;
    if (present(this.options.fs, this.options.recordsPath)) this.watchRoot();
    else this.rootGone();
  }

  /**
   * `records/` could not be watched (it was removed): poll until it is back. Even if it is back already — removed and
   * made again between the two looks — the next poll, not this turn, watches it again: returning here would leave
   * nothing watched.
   */
  private rootGone(): void {
    this.rootLost = true;
    this.switchToPolling();
  }

  /** A watcher that reports every event and closes itself on error (its folder went): the store then looks again. */
  private fsWatch(path: string, onEvent: (file: string | undefined) => void): nodeFs.FSWatcher | undefined {
    if (this.disposed) return undefined;
    try {
      const watcher = nodeFs.watch(path, { persistent: false }, (_event, file) => onEvent(typeof file === 'string' ? file : undefined));
      watcher.on('error', () => {
        watcher.close();
        onEvent(undefined);
      });
      return watcher;
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') this.options.log('warn', `change feed: cannot watch ${path}: ${String(error)}`);
      return undefined;
    }
  }

  private switchToEvents(): void {
    this.rootLost = false;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    this.mode = 'events';
    this.watchRoot();
    if (this.mode !== 'events') return; // gone again: still polling
    for (const [name, watched] of this.keys) watched.watcher = this.fsWatch(watched.genPath, (file) => this.heard(name, watched, file));
    this.note(undefined);
  }

  private switchToPolling(): void {
    if (this.mode === 'poll') return;
    this.mode = 'poll';
    this.closeRoot();
    for (const watched of this.keys.values()) {
      watched.watcher?.close();
      watched.watcher = undefined;
    }
    this.startPolling();
    // Events were not arriving: whatever was committed meanwhile is found by one look now.
    this.note(undefined);
  }

  private startPolling(): void {
    if (this.disposed) return;
    const now = performance.now();
    for (const watched of this.keys.values()) this.restamp(watched, now);
    this.rootListing = this.listRoot();
    this.pollTimer = setInterval(() => this.poll(), this.options.pollIntervalMs);
    this.pollTimer.unref();
  }

  private poll(): void {
    const { fs } = this.options;
    if (this.rootLost && present(fs, this.options.recordsPath)) return this.switchToEvents();
    const now = performance.now();
    for (const [name, watched] of this.keys) {
      const stamp = this.stampOf(watched.genPath);
      if (stamp !== watched.stamp) {
        this.restamp(watched, now, stamp);
        this.note(name);
      } else if (now - (watched.stampedAt ?? 0) <= coarseTimesMs + this.options.pollIntervalMs) {
        // Recently changed: a commit in the same tick of the file system's clock shows only in the listing.
        const newest = this.newestRecord(watched.genPath);
        if (newest !== watched.newest) this.note(name, newest === '' ? undefined : newest);
        watched.newest = newest;
      }
    }
    const listing = this.listRoot();
    if (listing !== this.rootListing) {
      this.rootListing = listing;
      this.note(undefined);
    }
    this.options.onPoll?.();
  }

  /** Any link or unlink in a folder changes its change time (and a recreated folder has another file id). */
  private stampOf(path: string): string {
    try {
      const stats = this.options.fs.lstatSync(path, { bigint: true });
      return `${stats.ino}:${stats.ctimeNs}:${stats.mtimeNs}`;
    } catch {
      return 'missing';
    }
  }

  /** Polling: takes the folder's stamp and, for coarse folder times, its newest record (see `coarseTimesMs`). */
  private restamp(watched: Watched, now: number, stamp = this.stampOf(watched.genPath)): void {
    watched.stamp = stamp;
    watched.stampedAt = now;
    watched.newest = this.newestRecord(watched.genPath);
  }

  /** The name of the newest record in a generation folder ('' if none, or the folder is gone). */
  private newestRecord(path: string): string {
    try {
      const seq = sequencesIn(this.options.fs.readdirSync(path)).at(-1);
      return seq === undefined ? '' : recordFileName(seq);
    } catch {
      return '';
    }
  }

  private listRoot(): string {
    try {
      return this.options.fs.readdirSync(this.options.recordsPath).sort().join('/');
    } catch {
      return '';
    }
  }

  /**
   * Events come in bursts (a link, then collection's unlinks): one look per key per turn of the event loop — at its
   * newest record, and at each other file named (a convergent key's slot, a log), which readers read alone.
   */
  private note(name: string | undefined, file = ''): void {
    let files = this.pending.get(name);
    if (files === undefined) this.pending.set(name, (files = new Set()));
    files.add(file);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const notes = [...this.pending];
      this.pending.clear();
      if (this.disposed) return;
      if (this.rootChanged) this.renewRoot();
      for (const [n, noted] of notes) {
        if (noted.has('')) {
          this.options.onChange(n, undefined);
          continue;
        }
        let newest: string | undefined;
        for (const f of noted) {
          if (sequenceOf(f) === undefined) this.options.onChange(n, f);
          else newest = newest === undefined ? f : newerRecord(newest, f);
        }
        if (newest !== undefined) this.options.onChange(n, newest);
      }
    });
  }
}

/** Of two noted files, the one with the higher sequence if both are records; '' (look at the folder) otherwise. */
function newerRecord(a: string, b: string): string {
  if (a === b) return a;
  const [sa, sb] = [sequenceOf(a), sequenceOf(b)];
  if (sa === undefined || sb === undefined) return '';
  return sa >= sb ? a : b;
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
