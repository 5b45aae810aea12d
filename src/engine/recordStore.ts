import type { Event, VersionedData } from '@breath-master/store';

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
  /** Re-reads every record from disk (the real store has it; the engine calls it after an uncertain failure). */
  refresh?(): Promise<void>;
}

export type { Disposable, Event, VersionedData } from '@breath-master/store';
