/**
 * Public types of the cross-window store. Plain Node: nothing here may import `vscode`.
 * The shapes below are the store's contract with other extensions and with Breath Master's engine.
 */

/** One committed record of a key. Versions of a key only ever go up, across all processes. */
export interface VersionedData<T> {
  /** 0 for a key never written (or not readable and no default committed yet), then 1, 2, 3 … one per commit. */
  version: number;
  /** ISO-8601 time of the commit (the writer's clock; for people, not for ordering). */
  lastModified: string;
  /** Which StorageWrapper instance committed it ('' for an absent key). */
  clientId: string;
  payload: T;
}

/** VS Code's `Disposable` shape, so adapters can push store handles into `context.subscriptions`. */
export interface Disposable {
  dispose(): void;
}

/** VS Code's `Event` shape: call it with a listener, get a Disposable that removes the listener. */
export type Event<T> = (listener: (e: T) => unknown, thisArgs?: unknown, disposables?: Disposable[]) => Disposable;

/** The part of `vscode.ExtensionContext` the store uses; plain Node passes `{ globalStoragePath: dir }`. */
export interface StorageContext {
  /** The storage folder (created if missing). Preferred over globalStoragePath when both are given. */
  globalStorageUri?: { fsPath: string };
  globalStoragePath?: string;
  /** Only read, for `options.migrate`: where older versions kept plain, unversioned values. */
  globalState?: {
    get(key: string): unknown;
    update(key: string, value: unknown): Thenable<void> | Promise<void>;
    keys?(): readonly string[];
  };
}

/** VS Code's Thenable (there: `interface Thenable<T> extends PromiseLike<T> {}`), so vscode's Memento fits. */
export type Thenable<T> = PromiseLike<T>;

/** How the change feed learns of other processes' commits. */
export type WatchMode = 'auto' | 'events' | 'poll';

export interface StorageWrapperOptions {
  /** Name of the change-feed folder inside the storage folder. Default 'touch'. */
  touchFileName?: string;
  /** Compare-and-set attempts after the first before `update` rejects with ConflictError. Default 1000. */
  maxRetries?: number;
  /** This instance's id, written into every record it commits. Default: random, unique per instance. */
  clientId?: string;
  /** Keys to import once from `context.globalState` (plain values stored by older versions) as version 1. */
  migrate?: string[];
  /** 'auto' (default): file events, switching to polling when they are seen not to arrive; 'events'; 'poll'. */
  watch?: WatchMode;
  /** Polling period when polling is in use. Default 100 ms. */
  pollIntervalMs?: number;
  /** Versions kept per key after a collection (the newest is never collected); collection runs every twice that
   *  many commits, so a key's folder holds at most three times this. Default 4; at least 2. */
  keepVersions?: number;
  /** Backoff after a conflict: first delay and cap, in ms; each retry doubles with full jitter. Default 0.5 / 25. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /**
   * Store records whose JSON reaches `thresholdBytes` (default 32 KiB) brotli-compressed at `quality` (0–11, default
   * 1: Breath Master's 500-session history went from 77 KB to 23 KB for under a millisecond per commit; quality 4
   * saved 4% more for 3 ms), readers decompressing transparently. Off by default: a window still running a store
   * before 0.3 reads a compressed record as unreadable.
   */
  compression?: { thresholdBytes?: number; quality?: number };
  /** Called for diagnostics (recovery, watch fallback, corrupt records). Default: nothing. */
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

/** What `onDidChange` reports: a record became this instance's latest known one. */
export interface StoreChange {
  key: string;
  version: number;
  /** 'local': committed by this instance; 'remote': another instance (window, process) committed it. */
  source: 'local' | 'remote';
  /** true when the key was deleted (its record is a tombstone). */
  deleted: boolean;
}

/** Counters for support and for the "Show Storage Health" command. */
export interface StoreMetrics {
  commits: number;
  conflicts: number;
  retries: number;
  conflictErrors: number;
  corruptRecords: number;
  remoteChanges: number;
  /** commit time (record's lastModified) → this instance learning of it, in ms, over the last 256 remote changes. */
  feedLatencyMs: { p50: number; p99: number; count: number };
  /** The same latency for every remote change: counts per bucket (`upToMs` null: slower than the last bound). */
  feedLatencyHistogram: { upToMs: number | null; count: number }[];
  /**
   * How other windows' commits were found: announced by a file event, found by polling (no event came: a network
   * or WSL folder, or events seen not to arrive), found by `refresh()` (an event was missed), or read as the base
   * of this instance's own update before any event said so.
   */
  remoteChangesFoundBy: { event: number; poll: number; refresh: number; update: number };
  /** Record collections run by this instance, and folds of gone writers' contributions it committed (and how many writers). */
  collections: number;
  folds: number;
  foldedWriters: number;
  watchMode: 'events' | 'poll';
}

/**
 * What `update` does when another instance committed between reading and committing. Default (no strategy): run the
 * updater again on the fresh value — right for any updater, and the only choice when the updater's effect depends on
 * the value (a counter's `n + 1`). `'lww'`: commit this update's result anyway (last writer wins: the other commit is
 * overwritten). A function `merge(base, mine, theirs)`: `base` is the value the updater ran on, `mine` its result,
 * `theirs` what was committed meanwhile; its result is committed (merged again if yet another commit came first).
 * When `merge` is commutative in `mine` and `theirs` and respects `base` (a three-way merge), concurrent updates give
 * one result in any order.
 */
export type MergeStrategy<T> = 'lww' | ((base: T, mine: T, theirs: T) => T);

export interface UpdateOptions<T> {
  merge?: MergeStrategy<T>;
}
