import { assertJsonData, Emitter } from '@breath-master/store';
import type { RecordStore, VersionedData } from '../../../src/engine';

type Change = { key: string; version: number; source: 'local' | 'remote'; deleted: boolean };

interface Committed {
  version: number;
  clientId: string;
  payload: unknown;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * Several windows' stores over one in-memory truth. Like the real store: `update` is a compare-and-set whose
 * updater may be re-run on a fresher value (each attempt reads, yields, then commits only if nobody committed
 * meanwhile), payloads are cloned in and out, and other windows learn of a commit through their change feed a
 * little later, and only JSON data can be stored (the store's own check) (`deliverRemote: false` holds the news until `flush()`, to model a slow feed).
 */
export class FakeStoreHub {
  private readonly truth = new Map<string, Committed>();
  private readonly stores: FakeStore[] = [];
  private pending: Array<() => void> = [];
  deliverRemote = true;
  /** Updater runs that were discarded because another commit came first. */
  conflicts = 0;
  commits = 0;

  open(clientId: string): FakeStore {
    const store = new FakeStore(this, clientId);
    this.stores.push(store);
    return store;
  }

  /** Sets a value directly, as if written long ago (e.g. a legacy record migrated by the store). */
  seed(key: string, payload: unknown): void {
    const version = (this.truth.get(key)?.version ?? 0) + 1;
    this.truth.set(key, { version, clientId: 'seed', payload: deepFreeze(clone(payload)) });
  }

  head(key: string): Committed | undefined {
    return this.truth.get(key);
  }

  /** Delivers held remote changes to every window. */
  flush(): void {
    for (const deliver of this.pending.splice(0)) deliver();
  }

  /** @internal */
  async commit(from: FakeStore, key: string, updater: (current: unknown) => unknown, defaultValue: unknown): Promise<Committed> {
    for (;;) {
      const base = this.truth.get(key);
      const baseVersion = base?.version ?? 0;
      const input = base ? clone(base.payload) : clone(defaultValue);
      // Yield so concurrent updates interleave like real windows (read, think, try to commit).
      await Promise.resolve();
      const output = updater(input);
      // Exactly the real store's check: undefined properties, NaN, class instances … are rejected, nothing written.
      assertJsonData(output, 'Updated value');
      await Promise.resolve();
      if ((this.truth.get(key)?.version ?? 0) !== baseVersion) {
        this.conflicts++;
        continue;
      }
      const record: Committed = { version: baseVersion + 1, clientId: from.clientId, payload: deepFreeze(clone(output)) };
      this.truth.set(key, record);
      this.commits++;
      from.learn(key, record, 'local');
      for (const other of this.stores) {
        if (other === from) continue;
        const deliver = () => other.learn(key, record, 'remote');
        if (this.deliverRemote) queueMicrotask(deliver);
        else this.pending.push(deliver);
      }
      return record;
    }
  }

  /** @internal */
  read(key: string): Committed | undefined {
    return this.truth.get(key);
  }
}

export class FakeStore implements RecordStore {
  private readonly cache = new Map<string, Committed>();
  /** Errors thrown by listeners (the engine's); tests assert there are none. */
  readonly listenerErrors: unknown[] = [];
  private readonly changes = new Emitter<Change>((error) => this.listenerErrors.push(error));
  readonly onDidChange = this.changes.event;
  disposed = false;

  constructor(
    private readonly hub: FakeStoreHub,
    readonly clientId: string,
  ) {}

  get<T>(key: string, defaultValue?: T): VersionedData<T> {
    let known = this.cache.get(key);
    if (!known) {
      // First access reads the truth, like the real store's first sync read.
      known = this.hub.read(key);
      if (known) this.cache.set(key, known);
    }
    if (!known) return { version: 0, lastModified: '', clientId: '', payload: defaultValue as T };
    return { version: known.version, lastModified: '', clientId: known.clientId, payload: known.payload as T };
  }

  async update<T>(key: string, updater: (current: T) => T, defaultValue?: T): Promise<VersionedData<T>> {
    if (this.disposed) throw new Error('store disposed');
    const record = await this.hub.commit(this, key, updater as (current: unknown) => unknown, defaultValue);
    return { version: record.version, lastModified: '', clientId: record.clientId, payload: record.payload as T };
  }

  /** @internal */
  learn(key: string, record: Committed, source: 'local' | 'remote'): void {
    if (this.disposed) return;
    const known = this.cache.get(key);
    if (known && known.version >= record.version) return;
    this.cache.set(key, record);
    this.changes.fire({ key, version: record.version, source, deleted: false });
  }

  dispose(): void {
    this.disposed = true;
    this.changes.dispose();
  }
}

/** A clock moved by hand. Starts at a local wall time so day logic is exercised in the process time zone. */
export class FakeClock {
  constructor(public time: number = new Date(2024, 5, 10, 9, 0, 0).getTime()) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
  set(date: Date): void {
    this.time = date.getTime();
  }
}
