import { dirname, join } from 'node:path';
import { storageWrapperBrand } from './brand';
import { ChangeWatcher } from './changeWatcher';
import { Emitter } from './emitter';
import { type ConvergentHost, ConvergentKey } from './convergent/convergentKey';
import { counterType, type CounterState } from './convergent/counter';
import { setType, type SetState, type SetValue } from './convergent/addWinsSet';
import { AddWinsSet } from './convergent/addWinsSetKey';
import { writerOfSlot } from './convergent/contribution';
import { Counter } from './convergent/counterKey';
import { HybridClock } from './convergent/hlc';
import { mapType, type MapState, type MapValue } from './convergent/lwwMap';
import { LwwMap } from './convergent/lwwMapKey';
import { maxType, type MaxState } from './convergent/maxRegister';
import { MaxRegister } from './convergent/maxRegisterKey';
import type { ConvergentType } from './convergent/type';
import { ConflictError, StoreError } from './errors';
import { writerOfLog } from './log/logFile';
import { LogKey } from './log/logKey';
import { FeedLatency } from './feedLatency';
import { createFile, ensureFolder, errorCode, fileMode, type FileSystem, isWindows, listFolder, readFile, realFileSystem, syncFolderSync, unlinkQuietly } from './files';
import { assertJsonData, cloneJsonData, deepFreeze } from './jsonData';
import { assertKey, keyFileName } from './keys';
import { type FolderContext, type Head, KeyFolder } from './keyFolder';
import { type Compression, encodeRecord, sequenceOf, type StoredRecord } from './record';
import type { Disposable, Event, StorageContext, StorageWrapperOptions, StoreChange, StoreMetrics, UpdateOptions, VersionedData } from './types';
import { newWriterTag, writtenByDeadProcess } from './writers';

type Log = NonNullable<StorageWrapperOptions['log']>;
type Produce = (payload: unknown, deleted: boolean) => { deleted: boolean; payload: unknown };
/** A condition on the head a commit would build on; when it fails, nothing is committed and `commit` gives undefined. */
type Guard = (seq: number, base: StoredRecord | undefined) => boolean;

/** This instance's latest known record of a key, and where it was read: generation and sequence. */
interface Known {
  version: number;
  deleted: boolean;
  /** Frozen and shared by every `get`: callers must not (and cannot) mutate it. */
  data: VersionedData<unknown>;
  record?: StoredRecord;
  gen?: string;
  seq: number;
}

interface KeyState {
  key: string;
  folder: KeyFolder;
  /** undefined until the key is first loaded. */
  known?: Known;
  /** The cached record was read or committed while this instance's intent was held (see `attempt`). */
  cacheHeld: boolean;
  /** The generation a version bump was last asked for (after the folder was emptied). */
  bumpAsked?: string;
  /** The last sequence this instance's link found taken: a listing below it is stale (see KeyFolder.readHead). */
  lost?: { gen: string; seq: number };
}

const absent: Known = Object.freeze({ version: 0, deleted: true, seq: 0, data: Object.freeze({ version: 0, lastModified: '', clientId: '', payload: undefined }) });

/**
 * The cross-window store: versioned records of JSON data in files under the storage folder, committed with a
 * lock-free compare-and-set (link(2)) and seen by other windows through file events on the record folders.
 * See docs/design.md for the protocol and why it is correct.
 *
 * Values returned by `get`, `read` and `update` are deep-frozen and shared: never mutate them (copy first).
 */
export class StorageWrapper {
  readonly clientId: string;
  readonly storagePath: string;
  /** Resolves when migration (options.migrate) has finished; it never rejects (problems go to options.log). */
  readonly ready: Promise<void>;
  readonly onDidChange: Event<StoreChange>;

  private readonly fs: FileSystem;
  private readonly recordsPath: string;
  private readonly tmpPath: string;
  private readonly migratedPath: string;
  private readonly writer = newWriterTag();
  private nameCounter = 0;
  private readonly states = new Map<string, KeyState>();
  private readonly byName = new Map<string, KeyState>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly corruptSeen = new Set<string>();
  private readonly changes: Emitter<StoreChange>;
  private readonly reloads: Emitter<{ key: string; version: number }>;
  private readonly watcher: ChangeWatcher;
  private readonly report: Log;
  private readonly maxRetries: number;
  private readonly keepVersions: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly compression: Compression | undefined;
  private readonly latency = new FeedLatency();
  private readonly counters = { commits: 0, conflicts: 0, retries: 0, conflictErrors: 0, corruptRecords: 0, remoteChanges: 0, collections: 0, folds: 0, foldedWriters: 0 };
  private readonly foundBy = { event: 0, poll: 0, refresh: 0, update: 0 };
  /** How the change being looked at was noticed (see `remoteChangesFoundBy`). */
  private finding: keyof StorageWrapper['foundBy'] = 'event';
  /** Why this instance cannot write (read-only folder, no hard links), if it cannot; looked at again on each update. */
  private writeProblem: string | undefined;
  private ctx: FolderContext | undefined;
  private disposed = false;
  private disposing: Promise<void> | undefined;
  /** dispose() was called: callers' updates are refused (convergent keys' last folds still run). */
  private closing = false;
  /** Convergent keys opened by this instance, and who listens to events in which key folder. */
  private readonly convergents = new Map<string, ConvergentKey<unknown, unknown>>();
  private readonly logs = new Map<string, LogKey>();
  private readonly folderListeners = new Map<string, Set<(file: string | undefined) => void>>();
  /** Stamps for last-writer-wins maps: one clock per instance, so its writes are ordered among themselves. */
  private readonly clock = new HybridClock(() => Date.now());

  constructor(context: StorageContext, options: StorageWrapperOptions & { fileSystem?: FileSystem } = {}) {
    const storagePath = context.globalStorageUri?.fsPath ?? context.globalStoragePath;
    if (typeof storagePath !== 'string' || storagePath === '') throw new TypeError('StorageWrapper needs context.globalStorageUri or context.globalStoragePath');
    const feedName = options.touchFileName;
    if (feedName !== undefined && (!/^[A-Za-z0-9._-]+$/.test(feedName) || feedName === '.' || feedName === '..')) {
      throw new TypeError(`touchFileName must be a plain folder name, got ${JSON.stringify(feedName)}`);
    }
    this.storagePath = storagePath;
    this.fs = options.fileSystem ?? realFileSystem;
    this.clientId = options.clientId ?? this.writer.tag;
    this.report = options.log ?? (() => undefined);
    this.maxRetries = nonNegative(options.maxRetries, 1000, 'maxRetries');
    this.keepVersions = Math.max(2, Math.floor(nonNegative(options.keepVersions, 4, 'keepVersions')));
    this.backoffBaseMs = nonNegative(options.backoffBaseMs, 0.5, 'backoffBaseMs');
    this.backoffMaxMs = nonNegative(options.backoffMaxMs, 25, 'backoffMaxMs');
    const compression = options.compression;
    if (compression !== undefined) {
      const quality = nonNegative(compression.quality, 1, 'compression.quality');
      if (!Number.isInteger(quality) || quality > 11) throw new TypeError('compression.quality must be an integer from 0 to 11');
      this.compression = { thresholdBytes: nonNegative(compression.thresholdBytes, 32 * 1024, 'compression.thresholdBytes'), quality };
    }
    const pollIntervalMs = Math.max(5, nonNegative(options.pollIntervalMs, 100, 'pollIntervalMs'));
    this.recordsPath = join(storagePath, 'records');
    this.tmpPath = join(storagePath, 'tmp');
    this.migratedPath = join(storagePath, 'migrated');
    // Never throws for the folder itself: a read-only or foreign folder still serves reads; updates say why not.
    this.writeProblem = this.prepareFolders();
    if (this.writeProblem) this.report('error', this.writeProblem);
    else this.sweepDeadWriters();

    Object.defineProperty(this, storageWrapperBrand, { value: true });
    const reportListenerError = (error: unknown): void => this.report('error', `store listener threw: ${String(error)}`);
    this.changes = new Emitter<StoreChange>(reportListenerError);
    this.reloads = new Emitter<{ key: string; version: number }>(reportListenerError);
    this.onDidChange = this.changes.event;
    this.watcher = new ChangeWatcher({
      fs: this.fs,
      recordsPath: this.recordsPath,
      mode: options.watch ?? 'auto',
      pollIntervalMs,
      onChange: (name, file) => this.onFolderChange(name, 'remote', file),
      // Contributions are rewritten in place, which changes no folder's times: polling reads them every time.
      onPoll: () => {
        for (const listeners of this.folderListeners.values()) for (const listener of listeners) listener(undefined);
      },
      log: this.report,
    });
    this.onFolderChange(undefined, 'load');
    this.ready = this.migrate(context.globalState, options.migrate ?? []);
  }

  /** Sync and cached: this instance's latest known record (the first access of a key reads it from disk). */
  get<T>(key: string, defaultValue?: T): VersionedData<T> {
    assertKey(key);
    const state = this.state(key);
    if (state.known === undefined) {
      try {
        this.refreshSync(state, 'load');
      } catch (error) {
        this.report('error', `get(${JSON.stringify(key)}): ${String(error)}`);
      }
      state.known ??= absent;
    }
    return this.shown(state.known, defaultValue) as VersionedData<T>;
  }

  /** Fresh from disk (and refreshes the cache). Rejects with StoreError when the newest record is unreadable. */
  async read<T>(key: string, defaultValue?: T): Promise<VersionedData<T>> {
    assertKey(key);
    const state = this.state(key);
    const head = this.ioSync(key, () => this.refreshSync(state, 'load'));
    if (head?.damaged) throw new StoreError(`Store key ${JSON.stringify(key)}: record ${head.seq} is unreadable`, { key });
    state.known ??= absent;
    return this.shown(state.known, defaultValue) as VersionedData<T>;
  }

  /**
   * Compare-and-set on the version. When another instance committed first: by default `updater` runs again on the
   * fresh value; with `options.merge` it does not — `'lww'` commits this update's result over the other one (last
   * writer wins), and a function `merge(base, mine, theirs)` combines the value the updater ran on, its result and
   * the value committed meanwhile (see MergeStrategy).
   */
  update<T>(key: string, updater: (current: T) => T, defaultValue?: T, options: UpdateOptions<T> = {}): Promise<VersionedData<T>> {
    const strategy = options.merge;
    try {
      assertKey(key);
      if (typeof updater !== 'function') throw new TypeError('update needs an updater function');
      if (defaultValue !== undefined) assertJsonData(defaultValue, 'Default value');
      if (strategy !== undefined && strategy !== 'lww' && typeof strategy !== 'function') throw new TypeError("options.merge must be 'lww' or a function (base, mine, theirs) => merged");
    } catch (error) {
      return Promise.reject(error);
    }
    const fallback = cloneJsonData(defaultValue);
    const current = (payload: unknown, deleted: boolean): T => (deleted ? cloneJsonData(fallback) : payload) as T;
    if (strategy === undefined) {
      return this.enqueue(key, () => this.commit(key, (payload, deleted) => ({ deleted: false, payload: updater(current(payload, deleted)) }))) as Promise<VersionedData<T>>;
    }
    // The updater runs once, on the first base; every later attempt (after a conflict) merges with the new head.
    let ran: { base: T; mine: T } | undefined;
    return this.enqueue(key, () =>
      this.commit(key, (payload, deleted) => {
        const theirs = current(payload, deleted);
        if (ran === undefined) {
          ran = { base: theirs, mine: updater(theirs) };
          return { deleted: false, payload: ran.mine };
        }
        if (strategy === 'lww') return { deleted: false, payload: ran.mine };
        const merged = strategy(cloneJsonData(ran.base) as T, cloneJsonData(ran.mine) as T, theirs);
        assertJsonData(merged, 'Merged value');
        // A further conflict merges again, from what this attempt saw.
        ran = { base: cloneJsonData(theirs) as T, mine: merged };
        return { deleted: false, payload: merged };
      }),
    ) as Promise<VersionedData<T>>;
  }

  set<T>(key: string, value: T): Promise<VersionedData<T>> {
    try {
      assertKey(key);
      assertJsonData(value);
    } catch (error) {
      return Promise.reject(error);
    }
    const copy = cloneJsonData(value);
    return this.enqueue(key, () => this.commit(key, () => ({ deleted: false, payload: cloneJsonData(copy) }))) as Promise<VersionedData<T>>;
  }

  /** Commits a tombstone version: the key reads as absent, and its version keeps going up (never back). */
  delete(key: string): Promise<VersionedData<undefined>> {
    try {
      assertKey(key);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.enqueue(key, () => this.commit(key, () => ({ deleted: true, payload: undefined }))) as Promise<VersionedData<undefined>>;
  }

  /** Live (not deleted, readable) keys on disk. Sync: reads each key's folder. */
  keys(): string[] {
    const keys: string[] = [];
    for (const name of listFolder(this.fs, this.recordsPath)) {
      try {
        const state = this.byName.get(name) ?? this.discover(name);
        if (state === undefined) continue;
        this.refreshSync(state, 'load');
        if (state.known && !state.known.deleted) keys.push(state.key);
      } catch (error) {
        this.report('warn', `keys(): skipping ${name}: ${String(error)}`);
      }
    }
    return keys;
  }

  /** Calls `onReload` for records committed by other instances, after `get` already returns them. */
  createTouchWatcher(onReload: (key: string, version: number) => void): Disposable {
    return this.reloads.event((e) => onReload(e.key, e.version));
  }

  getMetrics(): StoreMetrics {
    return {
      ...this.counters,
      feedLatencyMs: this.latency.summary(),
      feedLatencyHistogram: this.latency.histogram(),
      remoteChangesFoundBy: { ...this.foundBy },
      watchMode: this.watcher.mode,
    };
  }

  /** Re-reads every loaded key and announces what changed: a backstop for a window that regains focus. */
  async refresh(): Promise<void> {
    this.finding = 'refresh';
    for (const state of this.states.values()) {
      if (state.known === undefined) continue;
      try {
        this.refreshSync(state, 'remote');
      } catch (error) {
        this.report('warn', `refresh(${JSON.stringify(state.key)}): ${String(error)}`);
      }
    }
    this.finding = 'event';
    await Promise.resolve();
  }

  /** A counter every window adds to without conflicts (see Counter). The key's record holds its folded base. */
  counter(key: string): Counter {
    return new Counter(this.convergent<CounterState, number>(key, counterType), this.writer.tag);
  }

  /** The largest number any window offered (see MaxRegister). */
  maxRegister(key: string): MaxRegister {
    return new MaxRegister(this.convergent<MaxState, number | null>(key, maxType));
  }

  /** A set of strings where an add and a concurrent remove keep the element (see AddWinsSet). */
  addWinsSet(key: string): AddWinsSet {
    return new AddWinsSet(this.convergent<SetState, SetValue>(key, setType), this.writer.tag);
  }

  /** A map whose entries any window sets or deletes, the last write winning by a hybrid logical clock (see LwwMap). */
  lwwMap(key: string): LwwMap {
    return new LwwMap(this.convergent<MapState, MapValue>(key, mapType), this.writer.tag, this.clock);
  }

  /**
   * An append-only log every window appends to without conflicts (see LogKey): `append(id, data)`, `entries()`.
   * One object per key and instance. A key open as a convergent key cannot be a log (TypeError).
   */
  log(key: string): LogKey {
    assertKey(key);
    const open = this.logs.get(key);
    if (open !== undefined) return open;
    if (this.convergents.has(key)) throw new TypeError(`Store key ${JSON.stringify(key)} is open as a ${this.convergents.get(key)?.type.name}, not a log`);
    if (this.disposed || this.disposing) throw new StoreError('The store has been disposed', { key });
    const opened = new LogKey(this.convergentHost(), key, this.clock);
    this.logs.set(key, opened);
    if (!this.writeProblem) opened.fold().catch((error: unknown) => this.report('warn', `folding gone writers' logs of ${JSON.stringify(key)}: ${String(error)}`));
    return opened;
  }

  /**
   * A key whose value is a state-based CRDT (see ./convergent): changes from different windows merge instead of
   * conflicting. One object per key and instance; the same key opened with another type is a TypeError.
   */
  convergent<S, V>(key: string, type: ConvergentType<S, V>): ConvergentKey<S, V> {
    assertKey(key);
    const open = this.convergents.get(key);
    if (this.logs.has(key)) throw new TypeError(`Store key ${JSON.stringify(key)} is open as a log, not a ${type.name}`);
    if (open !== undefined) {
      if (open.type !== (type as ConvergentType<unknown, unknown>)) throw new TypeError(`Store key ${JSON.stringify(key)} is open as a ${open.type.name}, not a ${type.name}`);
      return open as unknown as ConvergentKey<S, V>;
    }
    if (this.disposed || this.disposing) throw new StoreError('The store has been disposed', { key });
    const opened = new ConvergentKey(this.convergentHost(), key, type);
    this.convergents.set(key, opened as unknown as ConvergentKey<unknown, unknown>);
    // Contributions of windows that are gone are folded in when a window opens the key (nothing runs while idle).
    if (!this.writeProblem) opened.fold().catch((error: unknown) => this.report('warn', `folding gone writers of ${JSON.stringify(key)}: ${String(error)}`));
    return opened;
  }

  /** Stops watching; new updates reject with StoreError; the promise resolves once queued updates have finished. */
  dispose(): Promise<void> {
    // Convergent keys write what is queued and fold this window's contribution first: that needs a live store.
    // New updates are refused from now on; only those folds run.
    if (this.disposing) return this.disposing;
    this.closing = true;
    this.disposing = Promise.all([...this.convergents.values(), ...this.logs.values()].map((k) => k.dispose())).then(() => this.disposeRecords());
    return this.disposing;
  }

  private disposeRecords(): Promise<void> {
    const queued = Promise.all([...this.queues.values()]).then(() => undefined);
    if (this.disposed) return queued;
    this.disposed = true;
    this.watcher.dispose();
    return queued.then(async () => {
      // Intents first: while the removals finish, they must not hold back other windows' collection.
      for (const state of this.states.values()) state.folder.release();
      await Promise.all([...this.states.values()].map((state) => state.folder.settled()));
      for (const state of this.states.values()) state.folder.dispose();
      this.changes.dispose();
      this.reloads.dispose();
    });
  }

  /**
   * One update, attempt after attempt (design.md, "The commit protocol"). The rule for failures: it resolves only
   * once the record is committed and durable; it rejects with `applied: false` only when nothing was committed.
   * The updater is re-run only after a lost compare-and-set, never after a link that may have happened.
   */
  private async commit(key: string, produce: Produce, guard?: Guard): Promise<VersionedData<unknown> | undefined> {
    const state = this.state(key);
    try {
      return await this.attempts(state, produce, guard);
    } finally {
      // A temp file kept from a lost race is no use once the update is over (committed, failed or guarded).
      state.folder.dropSpare();
    }
  }

  private async attempts(state: KeyState, produce: Produce, guard: Guard | undefined): Promise<VersionedData<unknown> | undefined> {
    const { key } = state;
    for (let attempt = 0; ; attempt++) {
      this.writeProblem &&= this.prepareFolders();
      if (this.writeProblem) throw new StoreError(`Store key ${JSON.stringify(key)}: ${this.writeProblem}`, { key });
      const step = this.ioSync(key, () => {
        // Another window's commit read as this update's base was found by the update, not by the change feed.
        this.finding = 'update';
        try {
          return this.attempt(state, produce, attempt === 0, guard);
        } catch (error) {
          // Before the link, a missing folder means the storage folder was removed: make it again and retry.
          if (errorCode(error) === 'ENOENT') return { outcome: 'gone' as const };
          throw error;
        } finally {
          this.finding = 'event';
        }
      });
      if (step === undefined) return undefined;
      if (step.outcome === 'committed') {
        const { record, seq, gen } = step;
        this.counters.commits++;
        this.accept(state, record, { gen: gen.name, seq }, 'local');
        this.watchKey(state, gen);
        this.watcher.expectEcho(state.folder.name);
        try {
          await state.folder.durable(step);
        } catch (error) {
          throw new StoreError(`Store key ${JSON.stringify(key)}: version ${record.version} was committed, but flushing it to disk failed: ${String(error)}`, { key, cause: error, applied: true });
        }
        this.afterCommit(state, gen, seq);
        return record.deleted ? { ...this.dataOf(record), payload: undefined } : this.dataOf(record);
      }
      if (step.outcome === 'gone') {
        state.folder.reset();
        state.cacheHeld = false;
        this.writeProblem = this.prepareFolders();
      } else {
        this.counters.conflicts++;
      }
      if (attempt >= this.maxRetries) {
        this.counters.conflictErrors++;
        throw new ConflictError(key, attempt + 1);
      }
      this.counters.retries++;
      // The first two retries go at once: the version we lost to is already there and an attempt takes
      // microseconds. Repeated conflicts back off, jittered.
      if (attempt < 2) await new Promise((resolve) => setImmediate(resolve));
      else await sleep(Math.random() * Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** Math.min(attempt, 30)));
    }
  }

  /**
   * One compare-and-set, synchronous from choosing the base to the link. The intent is registered before the head
   * is read, so the sequence above it cannot have been collected (design.md). A first attempt may build on the
   * cached record without reading, if that record was read or committed while the intent was held: a conflict
   * then costs one failed link.
   */
  private attempt(state: KeyState, produce: Produce, first: boolean, guard: Guard | undefined) {
    const { folder } = state;
    let gen = folder.generation(false);
    let seq = 0;
    let base: StoredRecord | undefined;
    /** Versions grow at least as fast as sequences, so a commit above a damaged record is above its version too. */
    let baseSeq = 0;
    if (gen !== undefined) {
      if (folder.heldFrom(gen) === undefined) {
        folder.holdFrom(gen, state.known?.gen === gen.name ? state.known.seq : 0);
        state.cacheHeld = false;
      }
      const known = state.known;
      if (first && state.cacheHeld && known?.gen === gen.name) {
        seq = baseSeq = known.seq;
        base = known.record;
      } else {
        const head = this.refreshSync(state, 'remote');
        if (head === undefined || head.gen.name !== gen.name) return { outcome: 'gone' as const };
        seq = baseSeq = head.seq;
        base = head.unchanged ? state.known?.record : head.record;
        if (head.damaged) {
          const below = folder.readableBelow(gen, seq);
          base = below?.record;
          baseSeq = below?.seq ?? 0;
        }
        state.cacheHeld = state.known?.gen === gen.name && state.known.seq === seq;
      }
    }
    // After the folder was emptied, the newest record any window holds wins (design.md, "Recovery"): into an empty
    // generation this window's record comes back, and above a new generation's head of a lower version (a window
    // that held less wrote first) this window's record is what the next version carries.
    const mine = state.known;
    if (mine?.record && (seq === 0 || (mine.gen !== gen?.name && mine.version > (base?.version ?? 0)))) {
      base = mine.record;
      baseSeq = seq;
    }
    if (guard && !guard(seq, base)) return undefined;
    let next: { deleted: boolean; payload: unknown };
    try {
      next = produce(base && !base.deleted ? cloneJsonData(base.payload) : undefined, base === undefined || base.deleted);
    } catch (error) {
      throw new UpdaterFailed(error);
    }
    if (!next.deleted) assertJsonData(next.payload, 'Updated value');
    if (gen === undefined) {
      // A new key: its folder is made only once the value is known to be valid. Then the head is read under the
      // intent like any other, since another window may have made the folder and committed meanwhile.
      const made = folder.generation(true);
      if (made === undefined) return { outcome: 'gone' as const };
      folder.holdFrom(made, 0);
      const head = this.refreshSync(state, 'remote');
      if (head === undefined || head.gen.name !== made.name || head.seq !== 0) return { outcome: 'conflict' as const };
      gen = made;
    }
    const record: StoredRecord = {
      // Above everything this window has seen, so versions never go back, even across an emptied folder.
      version: Math.max((base?.version ?? 0) + seq - baseSeq, state.known?.version ?? 0) + 1,
      lastModified: new Date().toISOString(),
      clientId: this.clientId,
      key: state.key,
      deleted: next.deleted,
      payload: next.deleted ? undefined : cloneJsonData(next.payload),
    };
    const outcome = folder.attempt(gen, seq + 1, encodeRecord(record, this.compression));
    if (outcome.outcome === 'conflict') state.lost = { gen: gen.name, seq: seq + 1 };
    return outcome.outcome === 'committed' ? { ...outcome, record, seq: seq + 1, gen } : outcome;
  }

  /** Housekeeping after a durable commit; never fails the update (the commit is certain). */
  private afterCommit(state: KeyState, gen: { name: string; path: string }, seq: number): void {
    try {
      const held = state.folder.heldFrom(gen);
      // Still updating this key: move the intent up so that it does not hold back collection.
      if (held !== undefined && this.queues.has(state.key) && seq - held >= this.keepVersions && !state.folder.holdFrom(gen, seq)) state.cacheHeld = false;
      if (seq % this.keepVersions === 0) {
        this.counters.collections++;
        state.folder.collect(gen, seq, this.keepVersions);
      }
    } catch (error) {
      this.report('warn', `collecting old records of ${JSON.stringify(state.key)}: ${String(error)}`);
    }
  }

  /** Reads the head from disk into the cache; 'load' does not announce a key's first load, 'remote' does. */
  private refreshSync(state: KeyState, source: 'load' | 'remote'): Head | undefined {
    const known = state.known;
    const head = state.folder.readHead(known?.gen === undefined ? undefined : { gen: known.gen, seq: known.seq }, state.lost);
    if (head === undefined) return undefined;
    this.watchKey(state, head.gen);
    if (head.unchanged) return head;
    if (head.damaged) {
      this.noteCorrupt(state, head);
      return head;
    }
    if (head.record) this.accept(state, head.record, { gen: head.gen.name, seq: head.seq }, source);
    return head;
  }

  /** Makes `record` this instance's latest known one if it is newer, then tells listeners (never going back). */
  private accept(state: KeyState, record: StoredRecord, where: { gen: string; seq: number }, source: 'load' | 'remote' | 'local'): void {
    const known = state.known;
    if (known !== undefined && known.version >= record.version) {
      if (known.gen !== where.gen) {
        // The storage folder was emptied or replaced, and the window that wrote first had seen less than this one
        // (even one version less: then its record has this window's version with other content). Commit above
        // what this window has seen (unless one did), so every window agrees again — on this window's record when
        // it is the newer one (see `attempt`), on the head's when both have one version.
        const seen = known.version;
        this.askBump(state, where.gen, (_seq, base) => (base?.version ?? 0) <= seen);
      }
      return;
    }
    state.known = { version: record.version, deleted: record.deleted, data: this.dataOf(record), record, seq: where.seq, gen: where.gen };
    state.cacheHeld = state.folder.heldFrom({ name: where.gen }) !== undefined;
    if (known === undefined && source === 'load') return;
    const own = record.clientId === this.clientId;
    if (!own && source === 'remote' && !this.queues.has(state.key)) {
      // Another window writes this key while this one is idle: give up the intent, which would hold back collection.
      state.folder.release();
      state.cacheHeld = false;
    }
    if (!own) {
      this.counters.remoteChanges++;
      this.foundBy[this.finding]++;
      this.latency.add(Date.now() - Date.parse(record.lastModified));
    }
    this.changes.fire({ key: record.key, version: record.version, source: own ? 'local' : 'remote', deleted: record.deleted });
    if (!own) this.reloads.fire({ key: record.key, version: record.version });
  }

  private watchKey(state: KeyState, gen: { name: string; path: string }): void {
    this.watcher.watch(state.folder.name, gen.path);
  }

  /** A no-op update that carries the version above this window's and makes every window agree again. */
  private askBump(state: KeyState, reason: string, guard: Guard): void {
    if (state.bumpAsked === reason || this.disposed) return;
    state.bumpAsked = reason;
    this.report('info', `store key ${JSON.stringify(state.key)}: its folder changed outside the store (${reason}); committing a new version`);
    void this.enqueue(state.key, () => this.commit(state.key, (payload, deleted) => ({ deleted, payload }), guard)).catch((error: unknown) => {
      this.report('warn', `store key ${JSON.stringify(state.key)}: ${String(error)}`);
    });
  }

  /** A file event: `name` is a key folder, or undefined when key folders may have come or gone. */
  private onFolderChange(name: string | undefined, source: 'load' | 'remote' = 'remote', file?: string): void {
    if (this.disposed) return;
    this.finding = this.watcher?.mode === 'poll' ? 'poll' : 'event';
    // The event named one record at or below the known head: collection, or our own commit's echo. Records never
    // change once linked, so there is nothing to look at.
    const state = name === undefined ? undefined : this.byName.get(name);
    const seq = file === undefined ? undefined : sequenceOf(file);
    const known = state?.known;
    if (state && known?.gen !== undefined && seq !== undefined && state.folder.currentGeneration() === known.gen && seq <= known.seq) return;
    // A convergent key's slot or a log changed: its readers read that file; the key's records did not change.
    if (name !== undefined && file !== undefined && (writerOfSlot(file) !== undefined || writerOfLog(file) !== undefined)) {
      for (const listener of this.folderListeners.get(name) ?? []) listener(file);
      return;
    }
    const names = name === undefined ? listFolder(this.fs, this.recordsPath) : [name];
    for (const n of names) {
      try {
        const state = this.byName.get(n) ?? this.discover(n);
        if (state) this.refreshSync(state, source);
      } catch (error) {
        this.report('warn', `change feed: ${n}: ${String(error)}`);
      }
      const listeners = this.folderListeners.get(n);
      if (listeners) for (const listener of listeners) listener(name === undefined ? undefined : file);
    }
    if (name === undefined) for (const [n, state] of this.byName) if (!names.includes(n)) state.folder.reset();
  }

  /** A key folder this instance has not used yet: its key is in its generation's key.json. */
  private discover(name: string): KeyState | undefined {
    const probe = new KeyFolder('', name, this.recordsPath, this.folderContext());
    const gen = probe.generation(false);
    const bytes = gen && readFile(this.fs, join(gen.path, 'key.json'))?.bytes;
    if (bytes === undefined) return undefined;
    const key = (JSON.parse(bytes.toString('utf8')) as { key?: unknown }).key;
    if (typeof key !== 'string' || keyFileName(key) !== name) return undefined;
    return this.state(key);
  }

  private state(key: string): KeyState {
    let state = this.states.get(key);
    if (state === undefined) {
      state = { key, folder: new KeyFolder(key, keyFileName(key), this.recordsPath, this.folderContext()), cacheHeld: false };
      this.states.set(key, state);
      this.byName.set(state.folder.name, state);
    }
    return state;
  }

  private convergentHost(): ConvergentHost {
    return {
      fs: this.fs,
      writer: this.writer.tag,
      fixModes: () => this.folderContext().fixModes,
      log: this.report,
      folded: (writers) => {
        this.counters.folds++;
        this.counters.foldedWriters += writers;
      },
      generation: (key, create) => {
        const state = this.state(key);
        const gen = state.folder.generation(create);
        if (gen) this.watchKey(state, gen);
        return gen;
      },
      resetGeneration: (key) => {
        // The generation, records/ or the storage folder itself went: the next write makes them again.
        this.state(key).folder.reset();
        this.writeProblem = this.prepareFolders();
      },
      get: (key) => this.get(key),
      reload: (key) => {
        this.get(key);
        this.refreshSync(this.state(key), 'remote');
      },
      update: (key, updater) => this.enqueue(key, () => this.commit(key, (payload, deleted) => ({ deleted: false, payload: updater(deleted ? undefined : payload) })), true) as Promise<VersionedData<unknown>>,
      onDidChange: this.changes.event,
      onFolderEvent: (key, listener) => {
        const name = this.state(key).folder.name;
        let listeners = this.folderListeners.get(name);
        if (listeners === undefined) this.folderListeners.set(name, (listeners = new Set()));
        listeners.add(listener);
        return { dispose: () => listeners.delete(listener) };
      },
    };
  }

  private folderContext(): FolderContext {
    this.ctx ??= {
      fs: this.fs,
      tmpPath: this.tmpPath,
      writer: this.writer,
      nextName: () => `${this.writer.tag}-${(this.nameCounter++).toString(36)}`,
      fixModes: false,
      log: this.report,
    };
    return this.ctx;
  }

  private shown(known: Known, defaultValue: unknown): VersionedData<unknown> {
    if (!known.deleted) return known.data;
    return { version: known.version, lastModified: known.data.lastModified, clientId: known.data.clientId, payload: defaultValue };
  }

  private dataOf(record: StoredRecord): VersionedData<unknown> {
    return Object.freeze({ version: record.version, lastModified: record.lastModified, clientId: record.clientId, payload: record.deleted ? undefined : deepFreeze(record.payload) });
  }

  private noteCorrupt(state: KeyState, head: Head): void {
    const id = `${head.gen.path}\u0000${head.seq}`;
    if (this.corruptSeen.has(id)) return;
    this.corruptSeen.add(id);
    this.counters.corruptRecords++;
    this.report('warn', `store key ${JSON.stringify(state.key)}: record ${head.seq} is unreadable; its bytes are kept beside it`);
    state.folder.keepDamaged(head);
  }

  /** Creates the folders; says why this instance cannot write, if it cannot (read-only, no hard links). */
  private prepareFolders(): string | undefined {
    try {
      for (const path of [this.storagePath, this.recordsPath, this.tmpPath, this.migratedPath]) ensureFolder(this.fs, path);
    } catch (error) {
      return `the storage folder ${this.storagePath} cannot be written (${errorCode(error) ?? String(error)}); reads still work`;
    }
    const probe = join(this.tmpPath, `${this.writer.tag}-probe`);
    try {
      const fd = createFile(this.fs, probe, Buffer.alloc(0));
      this.folderContext().fixModes = !isWindows && (Number(this.fs.fstatSync(fd, { bigint: true }).mode) & 0o777) !== fileMode;
      this.fs.closeSync(fd);
    } catch (error) {
      return `the storage folder ${this.storagePath} cannot be written (${errorCode(error) ?? String(error)}); reads still work`;
    }
    try {
      this.fs.linkSync(probe, `${probe}-link`);
      unlinkQuietly(this.fs, `${probe}-link`);
      this.syncStorageFolders();
      return undefined;
    } catch (error) {
      return `the file system of ${this.storagePath} has no hard links (${errorCode(error) ?? String(error)}: FAT, exFAT or some network shares), which the store's compare-and-set needs; reads still work`;
    } finally {
      unlinkQuietly(this.fs, probe);
    }
  }

  /**
   * The storage folder's own name and those of records/, tmp/ and migrated/ in it survive a power loss (a folder
   * just made exists only in the cache until its parent is flushed). Cheap when nothing changed; a file system
   * that cannot flush a folder is noted, not fatal: the records' own flushes still happen at each commit.
   */
  private syncStorageFolders(): void {
    if (isWindows) return;
    for (const path of [this.storagePath, dirname(this.storagePath)]) {
      try {
        syncFolderSync(this.fs, path);
      } catch (error) {
        this.report('warn', `flushing the folder ${path}: ${String(error)}`);
      }
    }
  }

  /** Temp files and half-made key folders of processes of this host that no longer run; never a live one's. */
  private sweepDeadWriters(): void {
    for (const name of listFolder(this.fs, this.tmpPath)) {
      if (!writtenByDeadProcess(name)) continue;
      try {
        this.fs.rmSync(join(this.tmpPath, name), { recursive: true, force: true });
      } catch (error) {
        this.report('debug', `sweeping ${name}: ${String(error)}`);
      }
    }
  }

  /** One attempt in flight per key per instance; a failed task does not stop the ones queued behind it. */
  private enqueue<R>(key: string, task: () => Promise<R>, internal = false): Promise<R> {
    if (this.disposed || (this.closing && !internal)) return Promise.reject(new StoreError('The store has been disposed', { key }));
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return run;
  }

  /** File-system failures before the commit become StoreError naming the key (nothing was committed). */
  private ioSync<R>(key: string, action: () => R): R {
    try {
      return action();
    } catch (error) {
      if (error instanceof UpdaterFailed) throw error.error;
      if (error instanceof StoreError || error instanceof TypeError) throw error;
      const applied = (error as { applied?: 'unknown' }).applied ?? false;
      throw new StoreError(`Store key ${JSON.stringify(key)}: ${String((error as Error)?.message ?? error)}`, { key, cause: error, applied });
    }
  }

  private async migrate(globalState: StorageContext['globalState'], keys: readonly string[]): Promise<void> {
    if (globalState === undefined || keys.length === 0) return;
    await Promise.all(
      keys.map((key) =>
        this.enqueue(key, () => this.migrateKey(globalState, key)).catch((error: unknown) => {
          this.report('error', `migration of ${JSON.stringify(key)} failed: ${String(error)}`);
        }),
      ),
    );
  }

  /** Imports one plain globalState value as version 1: a link onto sequence 1 succeeds in one window only. */
  private async migrateKey(globalState: NonNullable<StorageContext['globalState']>, key: string): Promise<void> {
    assertKey(key);
    const marker = join(this.migratedPath, keyFileName(key));
    if (readFile(this.fs, marker) !== undefined) return;
    const value = globalState.get(key);
    if (value === undefined) return;
    assertJsonData(value, `globalState value of ${JSON.stringify(key)}`);
    if (await this.commit(key, () => ({ deleted: false, payload: cloneJsonData(value) }), (seq) => seq === 0)) this.report('info', `migrated ${JSON.stringify(key)} from globalState as version 1`);
    const tmp = join(this.tmpPath, `${this.writer.tag}-${(this.nameCounter++).toString(36)}`);
    this.fs.closeSync(createFile(this.fs, tmp, Buffer.from(`${JSON.stringify({ key, at: new Date().toISOString() })}\n`), this.folderContext().fixModes));
    try {
      this.fs.linkSync(tmp, marker);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    } finally {
      unlinkQuietly(this.fs, tmp);
    }
  }
}

/** An error thrown by the caller's updater: it rejects the update as it is (nothing was written). */
class UpdaterFailed {
  constructor(readonly error: unknown) {}
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a non-negative number`);
  return value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

