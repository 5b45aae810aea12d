import type { Event, VersionedData } from '@breath-master/store';

/** An event of a log as `entries()` gives it (the store's `LogEntry`). */
export interface RecordLogEntry {
  readonly id: string;
  readonly data: unknown;
  readonly writer: string;
  readonly stamp: string;
}

/**
 * The part of the store's per-writer log (`store.log(key)`) the engine uses. Each window appends to its own file,
 * so appends never conflict; `entries()` is every window's events in one order (the same for every window once it
 * has read them), each id once (the first in that order).
 */
export interface RecordLog {
  /** Sync, cached: the same array until the log changes. Must not be mutated. */
  entries(): readonly RecordLogEntry[];
  /** Resolves once durable. An id appended twice, or by two windows, counts once. `data` must be JSON data. */
  append(id: string, data: unknown): Promise<void>;
  /** This window appended, or another window's appends were read. */
  readonly onDidChange: Event<void>;
}

/**
 * The part of the store the engine uses. `StorageWrapper` satisfies it structurally; unit tests use an in-memory
 * fake. Every engine change goes through `update`, whose updater is pure and may be re-run on a fresher value.
 */
export interface RecordStore {
  readonly clientId: string;
  /** Sync, cached, kept fresh by the change feed. The payload must not be mutated. */
  get<T>(key: string, defaultValue?: T): VersionedData<T>;
  /** Compare-and-set: `updater` runs on the current committed value (re-run on conflict); resolves with the commit. */
  update<T>(key: string, updater: (current: T) => T, defaultValue?: T): Promise<VersionedData<T>>;
  readonly onDidChange: Event<{ key: string; version: number; source: 'local' | 'remote'; deleted: boolean }>;
  /** The append-only log under `key` (one object per key). */
  log(key: string): RecordLog;
  /** Re-reads every record from disk (the real store has it; the engine calls it after an uncertain failure). */
  refresh?(): Promise<void>;
}

export type { Disposable, Event, VersionedData } from '@breath-master/store';
