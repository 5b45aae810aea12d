import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { storageWrapperBrand } from './brand';
import { ChangeFeed, FeedEntry } from './changeFeed';
import { Emitter } from './emitter';
import { ConflictError, StoreError } from './errors';
import { FeedLatency } from './feedLatency';
import { errorCode, folderMode, listFolderSync, makePrivateFolderSync, readIfExists, readIfExistsSync, TempNames, unlinkIfExists, writeNewFile } from './files';
import { assertJsonData, cloneJsonData, deepFreeze } from './jsonData';
import { assertKey, keyFileName } from './keys';
import { encodeRecord, fingerprint, StoredRecord } from './record';
import { Attempt, Head, KnownRecord, minKeep, RecordFolder } from './recordFolder';
import { ScratchFolder, type TempFile } from './scratchFolder';
import { Trash } from './trash';
import type { Disposable, Event, StorageContext, StorageWrapperOptions, StoreChange, StoreMetrics, VersionedData } from './types';

type Log = NonNullable<StorageWrapperOptions['log']>;

/** This instance's latest known committed state of a key. */
interface Known {
  version: number;
  deleted: boolean;
  /** Frozen and shared by every `get`: callers must not (and cannot) mutate it. */
  data: VersionedData<unknown>;
  /** The record as stored and the fingerprint of its bytes: lets the change feed skip re-reading a head it knows. */
  stored?: KnownRecord;
}

const absent: Known = Object.freeze({ version: 0, deleted: true, data: Object.freeze({ version: 0, lastModified: '', clientId: '', payload: undefined }) });

/**
 * The cross-window store: versioned records of JSON data in files under the storage folder, committed with a
 * lock-free compare-and-set (link(2)) and announced to other windows by a per-key change feed. See docs/design.md.
 *
 * Values returned by `get`, `read` and `update` are deep-frozen and shared: never mutate them (copy first).
 */
export class StorageWrapper {
  readonly clientId: string;
  readonly storagePath: string;
  /** Resolves when migration (options.migrate) has finished; it never rejects (problems go to options.log). */
  readonly ready: Promise<void>;
  readonly onDidChange: Event<StoreChange>;

  private readonly recordsPath: string;
  private readonly migratedPath: string;
  private readonly temp = new TempNames();
  private readonly scratch: ScratchFolder;
  private readonly trash: Trash;
  private readonly known = new Map<string, Known>();
  private readonly folders = new Map<string, RecordFolder>();
  /** Folder (and feed file) name → key, for the keys this instance has touched. */
  private readonly keyByFileName = new Map<string, string>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly corruptSeen = new Set<string>();
  private readonly changes: Emitter<StoreChange>;
  private readonly reloads: Emitter<{ key: string; version: number }>;
  private readonly feed: ChangeFeed;
  private readonly log: Log;
  private readonly maxRetries: number;
  private readonly keepVersions: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly latency = new FeedLatency();
  private readonly counters = { commits: 0, conflicts: 0, retries: 0, conflictErrors: 0, corruptRecords: 0, remoteChanges: 0 };
  private disposed = false;
  /** Record ids: random per instance, then a counter — unique across writers, so no two records' bytes match. */
  private readonly idPrefix = randomBytes(8).toString('hex');
  private idCounter = 0;

  constructor(context: StorageContext, options: StorageWrapperOptions = {}) {
    const storagePath = context.globalStorageUri?.fsPath ?? context.globalStoragePath;
    if (typeof storagePath !== 'string' || storagePath === '') throw new TypeError('StorageWrapper needs context.globalStorageUri or context.globalStoragePath');
    const feedName = options.touchFileName ?? 'touch';
    if (!/^[A-Za-z0-9._-]+$/.test(feedName) || feedName === '.' || feedName === '..' || ['records', 'migrated', 'tmp', 'trash'].includes(feedName)) {
      throw new TypeError(`touchFileName must be a plain folder name, got ${JSON.stringify(feedName)}`);
    }
    this.storagePath = storagePath;
    this.clientId = options.clientId ?? `${process.pid}-${randomBytes(6).toString('hex')}`;
    this.log = options.log ?? (() => undefined);
    this.maxRetries = nonNegative(options.maxRetries, 1000, 'maxRetries');
    this.keepVersions = Math.max(minKeep, nonNegative(options.keepVersions, 4, 'keepVersions'));
    this.backoffBaseMs = nonNegative(options.backoffBaseMs, 0.5, 'backoffBaseMs');
    this.backoffMaxMs = nonNegative(options.backoffMaxMs, 25, 'backoffMaxMs');
    const pollIntervalMs = Math.max(5, nonNegative(options.pollIntervalMs, 100, 'pollIntervalMs'));

    fs.mkdirSync(storagePath, { recursive: true, mode: folderMode });
    fs.chmodSync(storagePath, folderMode);
    this.recordsPath = join(storagePath, 'records');
    this.migratedPath = join(storagePath, 'migrated');
    const feedPath = join(storagePath, feedName);
    for (const folder of [this.recordsPath, this.migratedPath, feedPath]) makePrivateFolderSync(folder);
    this.trash = new Trash(join(storagePath, 'trash'), this.temp);
    this.scratch = new ScratchFolder(join(storagePath, 'tmp'), this.trash);
    try {
      this.scratch.sweep();
      this.trash.sweep();
    } catch (error) {
      this.log('warn', `removing what closed windows left behind: ${String(error)}`);
    }

    Object.defineProperty(this, storageWrapperBrand, { value: true });
    const reportListenerError = (error: unknown): void => this.log('error', `store listener threw: ${String(error)}`);
    this.changes = new Emitter<StoreChange>(reportListenerError);
    this.reloads = new Emitter<{ key: string; version: number }>(reportListenerError);
    this.onDidChange = this.changes.event;
    this.feed = new ChangeFeed({
      folder: feedPath,
      mode: options.watch ?? 'auto',
      pollIntervalMs,
      onChange: (fileName, readEntry) => this.onFeedChange(fileName, readEntry),
      log: this.log,
    });
    this.ready = this.migrate(context.globalState, options.migrate ?? []);
  }

  /** Sync and cached: this instance's latest known record (the first access of a key reads it from disk). */
  get<T>(key: string, defaultValue?: T): VersionedData<T> {
    assertKey(key);
    let known = this.known.get(key);
    if (known === undefined) known = this.loadSync(key);
    if (!known.deleted) return known.data as VersionedData<T>;
    return { version: known.version, lastModified: known.data.lastModified, clientId: known.data.clientId, payload: defaultValue as T };
  }

  /** Fresh from disk (and refreshes the cache). Rejects with StoreError when the newest record is unreadable. */
  async read<T>(key: string, defaultValue?: T): Promise<VersionedData<T>> {
    assertKey(key);
    const folder = this.folder(key);
    const head = this.ioSync(key, () => folder.readHeadSync());
    if (head.version > 0 && head.record === undefined) {
      this.noteCorrupt(folder, head);
      throw new StoreError(`Store key ${JSON.stringify(key)}: record version ${head.version} is unreadable`, { key });
    }
    if (head.record) this.learn(head.record, 'remote', head.fingerprint);
    const record = head.record;
    if (record === undefined || record.deleted) {
      return { version: record?.version ?? 0, lastModified: record?.lastModified ?? '', clientId: record?.clientId ?? '', payload: defaultValue as T };
    }
    const known = this.known.get(key);
    // The cache may already hold a newer version than we just read (a commit landed meanwhile); never go back.
    return (known && known.version > record.version && !known.deleted ? known.data : this.toData(record)) as VersionedData<T>;
  }

  update<T>(key: string, updater: (current: T) => T, defaultValue?: T): Promise<VersionedData<T>> {
    try {
      assertKey(key);
      if (typeof updater !== 'function') throw new TypeError('update needs an updater function');
      if (defaultValue !== undefined) assertJsonData(defaultValue, 'Default value');
    } catch (error) {
      return Promise.reject(error);
    }
    const base = cloneJsonData(defaultValue);
    return this.enqueue(key, () =>
      this.commit(key, (current) => ({ deleted: false, payload: updater(current as T) }), base),
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
    return this.enqueue(key, () => this.commit(key, () => ({ deleted: false, payload: cloneJsonData(copy) }), undefined)) as Promise<VersionedData<T>>;
  }

  /** Commits a tombstone version: the key reads as absent, and its version keeps going up (never back). */
  delete(key: string): Promise<VersionedData<undefined>> {
    try {
      assertKey(key);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.enqueue(key, () => this.commit(key, () => ({ deleted: true, payload: undefined }), undefined)) as Promise<VersionedData<undefined>>;
  }

  /** Live (not deleted, readable) keys on disk. Sync: reads each key's folder. */
  keys(): string[] {
    const keys: string[] = [];
    for (const name of listFolderSync(this.recordsPath)) {
      try {
        const bytes = readIfExistsSync(join(this.recordsPath, name, 'key.json'));
        const key = bytes && (JSON.parse(bytes.toString('utf8')) as { key?: unknown }).key;
        if (typeof key !== 'string' || keyFileName(key) !== name) continue;
        const head = this.folder(key).readHeadSync(this.known.get(key)?.stored);
        if (head.record && !head.record.deleted) {
          this.learn(head.record, 'remote', head.fingerprint);
          keys.push(key);
        }
      } catch (error) {
        this.log('warn', `keys(): skipping ${name}: ${String(error)}`);
      }
    }
    return keys;
  }

  /** Calls `onReload` for records committed by other instances, after `get` already returns them. */
  createTouchWatcher(onReload: (key: string, version: number) => void): Disposable {
    return this.reloads.event((e) => onReload(e.key, e.version));
  }

  getMetrics(): StoreMetrics {
    return { ...this.counters, feedLatencyMs: this.latency.summary(), watchMode: this.feed.mode };
  }

  /** Re-reads every key this instance has loaded and announces what changed (for a window that regains focus). */
  async refresh(): Promise<void> {
    await Promise.all([...this.known.keys()].map((key) => this.read(key).catch(() => undefined)));
  }

  /** Stops the change feed; updates already queued still finish (the promise waits for them), new ones reject. */
  dispose(): Promise<void> {
    const queued = Promise.all([...this.queues.values()].map((q) => q.catch(() => undefined))).then(() => undefined);
    if (this.disposed) return queued;
    this.disposed = true;
    this.feed.dispose();
    this.scratch.dispose();
    this.trash.empty();
    this.changes.dispose();
    this.reloads.dispose();
    return queued;
  }

  private async commit(key: string, produce: (current: unknown) => { deleted: boolean; payload: unknown }, defaultValue: unknown): Promise<VersionedData<unknown>> {
    const folder = this.folder(key);
    for (let attempt = 0; ; attempt++) {
      const temp = this.ioSync(key, () => this.scratch.prepare());
      let next: { deleted: boolean; payload: unknown };
      let record: StoredRecord;
      try {
        // From listing the head to the link this runs synchronously (recordFolder.ts says why), so the updater
        // sees a value that is at most microseconds old when its result is linked.
        const head = this.ioSync(key, () => folder.readHeadSync());
        let current: StoredRecord | undefined = head.record;
        if (current) this.learn(current, 'remote', head.fingerprint);
        else if (head.version > 0) {
          // Recovery: build on the newest readable older record, but commit above the unreadable one.
          this.noteCorrupt(folder, head);
          current = this.ioSync(key, () => folder.newestReadableBelow(head));
        }
        next = produce(current && !current.deleted ? cloneJsonData(current.payload) : cloneJsonData(defaultValue));
        if (!next.deleted) assertJsonData(next.payload, 'Updated value');
        record = {
          version: head.version + 1,
          lastModified: new Date().toISOString(),
          clientId: this.clientId,
          key,
          id: this.nextRecordId(),
          prev: head.fingerprint ?? null,
          deleted: next.deleted,
          // A copy: the cached payload is frozen, and the object the updater returned stays the caller's.
          payload: next.deleted ? undefined : cloneJsonData(next.payload),
        };
      } catch (error) {
        this.scratch.giveBack(temp);
        throw error;
      }
      const versions = await this.commitRecord(folder, record, temp);
      if (versions) {
        // Our own record, even if the cache already moved past it (others committed right after us).
        const cached = this.known.get(key);
        const data = cached?.version === record.version ? cached.data : this.toData(record);
        return next.deleted ? { ...data, payload: undefined } : data;
      }
      this.counters.conflicts++;
      if (attempt >= this.maxRetries) {
        this.counters.conflictErrors++;
        throw new ConflictError(key, attempt + 1);
      }
      this.counters.retries++;
      // The first two retries go at once (after letting queued feed events in): a conflict means the version we
      // lost to is already there, and attempts are microseconds long (the first one may just have built on a
      // cached head that had moved on). Repeated conflicts back off, jittered.
      if (attempt < 2) await new Promise((resolve) => setImmediate(resolve));
      else await sleep(Math.random() * Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** Math.min(attempt, 30)));
    }
  }

  /**
   * One compare-and-set of `record` (design.md, "The commit protocol"). Resolves with the versions present after
   * the commit once it is durable, or undefined on a conflict. A certain commit is announced before its fsyncs.
   */
  private async commitRecord(folder: RecordFolder, record: StoredRecord, temp: TempFile): Promise<number[] | undefined> {
    const bytes = encodeRecord(record);
    const recordFingerprint = fingerprint(bytes);
    let attempt: Attempt = this.ioSync(record.key, () => folder.attempt(record.version, bytes, recordFingerprint, temp));
    if (attempt.outcome === 'undecided') {
      const { settle } = attempt;
      attempt = await this.io(record.key, settle);
    }
    if (attempt.outcome !== 'committed') return undefined;
    this.announce(record, recordFingerprint, attempt.tempPath);
    await this.io(record.key, attempt.durable);
    // Only once our record is durable: collection removes versions below it, and after a power loss (not only a
    // killed process) the folder must still hold a durable record with every acknowledged update — ours — rather
    // than only records whose writers are still waiting for their flushes.
    this.collectIfDue(folder, { version: record.version, bytes }, attempt.versions);
    return attempt.versions;
  }

  /**
   * A commit is certain (linked and checked): count it, cache it and publish it to the change feed — without
   * waiting for its fsync, so other windows hear of it sooner (after a power loss every window restarts anyway).
   * Readers always look at the key's folder for the newest version, so the feed file only has to change; two
   * writers renaming in the opposite order of their commits still leave every reader at the truth.
   */
  private announce(record: StoredRecord, recordFingerprint: string, tempPath: string): void {
    this.counters.commits++;
    this.learn(record, 'local', recordFingerprint);
    try {
      this.feed.publish(keyFileName(record.key), tempPath);
    } catch (error) {
      this.log('warn', `change feed: publishing ${JSON.stringify(record.key)} v${record.version} failed: ${String(error)}`);
    }
  }

  /**
   * Collection runs after every `2 × keepVersions`-th version (whoever commits it), bringing the folder back to
   * `keepVersions` versions; any committer collects when a folder holds two rounds more than that (its collector
   * died). So one process does the work once per round, not every process on every commit. A proof reads every
   * version from the new one down, kept ones included: rounds twice the kept versions hold those reads to 1.5 per
   * commit (rounds equal to it: 2).
   */
  private collectIfDue(folder: RecordFolder, committed: { version: number; bytes: Buffer }, versions: number[]): void {
    const keep = this.keepVersions;
    const round = 2 * keep;
    if (versions.length <= keep || (committed.version % round !== 0 && versions.length <= keep + 2 * round)) return;
    // A failure here never fails the update (the commit is certain; collection is housekeeping).
    try {
      folder.collect(committed, versions, keep, (m) => this.log('warn', m));
    } catch (error) {
      this.log('warn', `collecting old versions of ${JSON.stringify(folder.key)}: ${String(error)}`);
    }
  }

  /**
   * A feed file changed. For a key this instance has loaded, the file name names its folder, and one readdir
   * says whether there is anything new; otherwise the feed file says which key it is.
   * Reading the new head here, while this instance may be waiting for its own fsync, also spares its next
   * attempt the read (measured: putting this off while updates of the key were queued was 7% slower).
   */
  private async onFeedChange(fileName: string, readEntry: () => Promise<FeedEntry | undefined>): Promise<void> {
    if (this.disposed) return;
    let key = this.keyByFileName.get(fileName);
    if (key === undefined) {
      const entry = await readEntry();
      if (entry === undefined || keyFileName(entry.key) !== fileName) return;
      key = entry.key;
    }
    const known = this.known.get(key)?.stored;
    const head = this.folder(key).readHeadSync(known);
    if (head.record) this.learn(head.record, 'feed', head.fingerprint);
    else if (head.version > 0) this.log('warn', `change feed: ${JSON.stringify(key)} v${head.version} is unreadable`);
  }

  /** Makes `record` this instance's latest known one if it is newer, then tells listeners (never going back). */
  private learn(record: StoredRecord, source: 'local' | 'remote' | 'feed', recordFingerprint: string | undefined): void {
    const known = this.known.get(record.key);
    if (known !== undefined && known.version >= record.version) return;
    const next: Known = { version: record.version, deleted: record.deleted, data: this.toData(record) };
    if (recordFingerprint !== undefined) next.stored = { record, fingerprint: recordFingerprint };
    this.known.set(record.key, next);
    // The first load of a key by get/read/update is not a change; the feed announces even unloaded keys.
    if (known === undefined && source === 'remote') return;
    const own = record.clientId === this.clientId;
    const change: StoreChange = { key: record.key, version: record.version, source: own ? 'local' : 'remote', deleted: record.deleted };
    if (!own) {
      this.counters.remoteChanges++;
      this.latency.add(Date.now() - Date.parse(record.lastModified));
    }
    this.changes.fire(change);
    if (!own) this.reloads.fire({ key: record.key, version: record.version });
  }

  private loadSync(key: string): Known {
    const folder = this.folder(key);
    let head: Head;
    try {
      head = folder.readHeadSync();
    } catch (error) {
      this.log('error', `get(${JSON.stringify(key)}): ${String(error)}`);
      return absent;
    }
    if (head.record) {
      this.learn(head.record, 'remote', head.fingerprint);
      return this.known.get(key) ?? absent;
    }
    if (head.version > 0) {
      try {
        this.noteCorrupt(folder, head);
      } catch (error) {
        this.log('error', String(error));
      }
    }
    // Cached as version 0 (absent or unreadable): `get` stays fast, and the feed or the next read moves it on.
    this.known.set(key, absent);
    return absent;
  }

  private nextRecordId(): string {
    return `${this.idPrefix}-${(this.idCounter++).toString(36)}`;
  }

  private toData(record: StoredRecord): VersionedData<unknown> {
    return Object.freeze({
      version: record.version,
      lastModified: record.lastModified,
      clientId: record.clientId,
      payload: record.deleted ? undefined : deepFreeze(record.payload),
    });
  }

  private noteCorrupt(folder: RecordFolder, head: Head): void {
    const id = `${folder.key}\u0000${head.version}`;
    if (!this.corruptSeen.has(id)) {
      this.corruptSeen.add(id);
      this.counters.corruptRecords++;
      this.log('warn', `store key ${JSON.stringify(folder.key)}: record version ${head.version} is unreadable; its bytes are kept`);
    }
    this.ioSync(folder.key, () => folder.keepCorruptCopy(head));
  }

  private folder(key: string): RecordFolder {
    let folder = this.folders.get(key);
    if (folder === undefined) {
      const fileName = keyFileName(key);
      folder = new RecordFolder(key, join(this.recordsPath, fileName), this.temp, this.scratch, this.trash);
      this.folders.set(key, folder);
      this.keyByFileName.set(fileName, key);
    }
    return folder;
  }

  /** One attempt in flight per key per instance; a failed task does not stop the ones queued behind it. */
  private enqueue<R>(key: string, task: () => Promise<R>): Promise<R> {
    if (this.disposed) return Promise.reject(new StoreError('The store has been disposed', { key }));
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return run;
  }

  /** File-system failures become StoreError naming the key, with the cause attached. */
  private async io<R>(key: string, action: () => Promise<R>): Promise<R> {
    try {
      return await action();
    } catch (error) {
      throw storeError(key, error);
    }
  }

  private ioSync<R>(key: string, action: () => R): R {
    try {
      return action();
    } catch (error) {
      throw storeError(key, error);
    }
  }

  private async migrate(globalState: StorageContext['globalState'], keys: readonly string[]): Promise<void> {
    if (globalState === undefined || keys.length === 0) return;
    await Promise.all(
      keys.map((key) =>
        this.enqueue(key, () => this.migrateKey(globalState, key)).catch((error: unknown) => {
          this.log('error', `migration of ${JSON.stringify(key)} failed: ${String(error)}`);
        }),
      ),
    );
  }

  /** Imports one plain globalState value as version 1 — `link` of v1 succeeds in one window only. */
  private async migrateKey(globalState: NonNullable<StorageContext['globalState']>, key: string): Promise<void> {
    assertKey(key);
    const marker = join(this.migratedPath, keyFileName(key));
    if ((await readIfExists(marker)) !== undefined) return;
    const value = globalState.get(key);
    if (value === undefined) return;
    const folder = this.folder(key);
    const head = folder.readHeadSync();
    if (head.version === 0) {
      assertJsonData(value, `globalState value of ${JSON.stringify(key)}`);
      const record: StoredRecord = {
        version: 1,
        lastModified: new Date().toISOString(),
        clientId: this.clientId,
        key,
        id: this.nextRecordId(),
        prev: null,
        deleted: false,
        payload: cloneJsonData(value),
      };
      const temp = this.ioSync(key, () => this.scratch.prepare());
      if (await this.commitRecord(folder, record, temp)) this.log('info', `migrated ${JSON.stringify(key)} from globalState as version 1`);
    }
    const tmp = this.temp.next(this.migratedPath);
    await writeNewFile(tmp, Buffer.from(`${JSON.stringify({ key, at: new Date().toISOString() })}\n`), true);
    try {
      await fsp.link(tmp, marker);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    } finally {
      await unlinkIfExists(tmp);
    }
  }
}

function storeError(key: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  return new StoreError(`Store key ${JSON.stringify(key)}: ${String((error as Error)?.message ?? error)}`, { key, cause: error });
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a non-negative number`);
  return value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
