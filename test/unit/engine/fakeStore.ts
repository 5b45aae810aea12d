import { assertJsonData, Emitter } from '@breath-master/store';
import type { RecordLog, RecordLogEntry, RecordStore, VersionedData } from '../../../src/engine';

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
  /** Every durable log event per key, as appended (readers sort them: by stamp, then writer). */
  private readonly logs = new Map<string, RecordLogEntry[]>();
  private lastStamp = 0;
  /** Log appends made durable. */
  appends = 0;
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

  /** Every durable event of the log `key`, in the one order every window reads (by stamp, then writer), ids not deduplicated. */
  logEvents(key: string): readonly RecordLogEntry[] {
    return [...(this.logs.get(key) ?? [])].sort(compareEntries);
  }

  /**
   * @internal A stamp above every event any window has appended so far: like the store's hybrid logical clock, a
   * window stamps its appends above what it has read (here: above everything, a clock every window shares).
   */
  stamp(): string {
    return String(++this.lastStamp).padStart(12, '0');
  }

  /** @internal The event is durable: kept, and read by the other windows through their change feed. */
  persist(from: FakeStore, key: string, entry: RecordLogEntry): void {
    let events = this.logs.get(key);
    if (!events) this.logs.set(key, (events = []));
    events.push(entry);
    this.appends++;
    for (const other of this.stores) {
      if (other === from) continue;
      const deliver = () => other.learnLogEvent(key, entry);
      if (this.deliverRemote) queueMicrotask(deliver);
      else this.pending.push(deliver);
    }
  }

  /** @internal What a window opening the log reads. */
  readLog(key: string): readonly RecordLogEntry[] {
    return this.logs.get(key) ?? [];
  }
}

function compareEntries(a: RecordLogEntry, b: RecordLogEntry): number {
  return a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.writer < b.writer ? -1 : a.writer > b.writer ? 1 : 0;
}

/**
 * A window's view of a log, like the store's `LogKey`: its own appends at once (durable a moment later), other
 * windows' once delivered; `entries()` sorted by stamp then writer, each id once (the first), the same array until
 * something changes.
 */
export class FakeLog implements RecordLog {
  private readonly known: RecordLogEntry[];
  private sorted: readonly RecordLogEntry[] | undefined;
  private readonly changes: Emitter<void>;
  readonly onDidChange: RecordLog['onDidChange'];

  constructor(
    private readonly hub: FakeStoreHub,
    private readonly store: FakeStore,
    readonly key: string,
    onListenerError: (error: unknown) => void,
  ) {
    this.known = [...hub.readLog(key)];
    this.changes = new Emitter<void>(onListenerError);
    this.onDidChange = this.changes.event;
  }

  entries(): readonly RecordLogEntry[] {
    if (this.sorted === undefined) {
      const seen = new Set<string>();
      this.sorted = [...this.known].sort(compareEntries).filter((e) => !seen.has(e.id) && seen.add(e.id) !== undefined);
    }
    return this.sorted;
  }

  async append(id: string, data: unknown): Promise<void> {
    if (this.store.disposed) throw new Error('store disposed');
    if (typeof id !== 'string' || id === '' || id.length > 1024) throw new TypeError('bad log event id');
    assertJsonData(data, 'Log event data');
    const entry: RecordLogEntry = deepFreeze({ id, data: clone(data), writer: this.store.clientId, stamp: this.hub.stamp() });
    this.learn(entry);
    // Durable a moment later (the real store: one positional write and fdatasync per batch).
    await Promise.resolve();
    this.hub.persist(this.store, this.key, entry);
  }

  /** @internal */
  learn(entry: RecordLogEntry): void {
    this.known.push(entry);
    this.sorted = undefined;
    this.changes.fire();
  }

  dispose(): void {
    this.changes.dispose();
  }
}

export class FakeStore implements RecordStore {
  private readonly cache = new Map<string, Committed>();
  /** Errors thrown by listeners (the engine's); tests assert there are none. */
  readonly listenerErrors: unknown[] = [];
  private readonly changes = new Emitter<Change>((error) => this.listenerErrors.push(error));
  readonly onDidChange = this.changes.event;
  private readonly logs = new Map<string, FakeLog>();
  disposed = false;

  constructor(
    private readonly hub: FakeStoreHub,
    readonly clientId: string,
  ) {}

  get<T>(key: string, defaultValue?: T): VersionedData<T> {
    let known = this.cache.get(key);
    if (!known) {
      // First access reads the truth, like the real store's first sync read; an absent key is remembered as version 0
      // (as the real store knows it from its open), so the change feed still announces its first commit.
      known = this.hub.read(key) ?? { version: 0, clientId: '', payload: undefined };
      this.cache.set(key, known);
    }
    if (known.version === 0) return { version: 0, lastModified: '', clientId: '', payload: defaultValue as T };
    return { version: known.version, lastModified: '', clientId: known.clientId, payload: known.payload as T };
  }

  async update<T>(key: string, updater: (current: T) => T, defaultValue?: T): Promise<VersionedData<T>> {
    if (this.disposed) throw new Error('store disposed');
    const record = await this.hub.commit(this, key, updater as (current: unknown) => unknown, defaultValue);
    return { version: record.version, lastModified: '', clientId: record.clientId, payload: record.payload as T };
  }

  log(key: string): FakeLog {
    let log = this.logs.get(key);
    if (!log) this.logs.set(key, (log = new FakeLog(this.hub, this, key, (error) => this.listenerErrors.push(error))));
    return log;
  }

  /** @internal */
  learnLogEvent(key: string, entry: RecordLogEntry): void {
    if (this.disposed) return;
    // Not open here yet: opening it reads the hub's events then.
    this.logs.get(key)?.learn(entry);
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
    for (const log of this.logs.values()) log.dispose();
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
