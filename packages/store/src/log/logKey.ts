import type { ConvergentHost } from '../convergent/convergentKey';
import { decodeStamp, encodeStamp, type HybridClock } from '../convergent/hlc';
import { Emitter } from '../emitter';
import { StoreError } from '../errors';
import { listFolder } from '../files';
import { assertJsonData, cloneJsonData, deepFreeze } from '../jsonData';
import type { Event } from '../types';
import { encodeLine, logFileName, readLogFrom, type StoredEvent, writerOfLog } from './logFile';
import { type FoldKind, foldGoneWriters } from '../convergent/fold';
import { writeInGeneration, writeOwnFile } from '../convergent/ownFiles';
import { WriteLoop } from '../convergent/writeLoop';

/** An event as `entries()` gives it: the caller's id and data, which writer appended it, and its stamp. */
export interface LogEntry {
  readonly id: string;
  readonly data: unknown;
  readonly writer: string;
  /** Hybrid-logical-clock stamp (fixed-width text): entries are ordered by it, then by writer. */
  readonly stamp: string;
}

/** The key's record: the events of gone writers' logs folded into it, and which logs (writer → lines folded). */
export interface Snapshot {
  events: (StoredEvent & { w: string })[];
  folded: Record<string, number>;
}

/** A log's record payload as its snapshot (absent: empty); throws a TypeError saying what is wrong (also for the inspector). */
export function parseSnapshot(payload: unknown): Snapshot {
  if (payload === undefined) return { events: [], folded: {} };
  const p = payload as Record<string, unknown>;
  if (typeof p !== 'object' || p === null || p.log !== 1 || !Array.isArray(p.events)) throw new TypeError('it holds no log');
  const folded = p.folded as Record<string, unknown>;
  if (typeof folded !== 'object' || folded === null || Array.isArray(folded)) throw new TypeError('its folded writers are not a record');
  const checked: Record<string, number> = {};
  for (const [writer, lines] of Object.entries(folded)) {
    if (writerOfLog(logFileName(writer)) !== writer || !Number.isSafeInteger(lines) || (lines as number) < 0) throw new TypeError(`bad folded writer ${JSON.stringify(writer)}`);
    checked[writer] = lines as number;
  }
  const events = (p.events as unknown[]).map((e) => {
    const ev = e as Record<string, unknown>;
    if (typeof ev !== 'object' || ev === null || typeof ev.id !== 'string' || typeof ev.w !== 'string' || !Object.hasOwn(ev, 'data')) throw new TypeError('an event is malformed');
    decodeStamp(ev.t, 'event stamp');
    return { id: ev.id, t: ev.t as string, w: ev.w, data: ev.data };
  });
  return { events, folded: checked };
}

interface Pending {
  event: StoredEvent;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const maxIdLength = 1024;

/**
 * An append-only log every window appends to without conflicts (`store.log(key)`): each window appends to its own
 * file, readers merge all of them with the key's record (the snapshot) in one deterministic order, events deduplicated
 * by the id the caller gives. Gone windows' logs are folded into the snapshot exactly as convergent keys' contributions
 * are (design.md, "Per-writer logs").
 */
export class LogKey {
  readonly onDidChange: Event<void>;
  private readonly changes = new Emitter<void>();
  private readonly subscriptions: { dispose(): void }[] = [];
  /** This writer's events (durable or queued) and how many bytes of its file are whole lines. */
  private readonly own: StoredEvent[] = [];
  private ownLength = 0;
  private ownDurable = 0;
  private writtenGen: string | undefined;
  private queue: Pending[] = [];
  private readonly writes = new WriteLoop(
    () => this.queue.length > 0 || this.rewriteWanted,
    () => this.step(),
    (error) => this.host.log('error', `log ${JSON.stringify(this.key)}: ${String(error)}`),
  );
  /** The folder was emptied: write this window's durable events again. */
  private rewriteWanted = false;
  private readonly others = new Map<string, { events: StoredEvent[]; end: number }>();
  private readonly entryCache = new WeakMap<StoredEvent, LogEntry>();
  private readGen: string | undefined;
  private snapshot: Snapshot = { events: [], folded: {} };
  private snapshotVersion = -1;
  private sorted: LogEntry[] | undefined = [];
  private disposed = false;

  constructor(
    private readonly host: ConvergentHost,
    readonly key: string,
    private readonly clock: HybridClock,
  ) {
    this.onDidChange = this.changes.event;
    this.subscriptions.push(
      host.onDidChange((e) => {
        if (e.key === key) this.refresh();
      }),
      host.onFolderEvent(key, (file) => this.refresh(file)),
    );
    this.refresh();
  }

  /** Every event of every writer this window knows of, oldest first (by stamp, then writer), each id once. */
  entries(): readonly LogEntry[] {
    if (this.sorted === undefined) this.sorted = this.merge();
    return this.sorted;
  }

  /**
   * Appends an event (`id`: up to 1024 characters, the same id appended twice or by two windows counts once; `data`:
   * JSON data) and resolves once it is durable. Appends made while one is being written go together in the next.
   */
  append(id: string, data: unknown): Promise<void> {
    if (this.disposed) return Promise.reject(new StoreError('The store has been disposed', { key: this.key }));
    if (typeof id !== 'string' || id === '' || id.length > maxIdLength) return Promise.reject(new TypeError(`a log event's id must be a string of 1–${maxIdLength} characters`));
    try {
      assertJsonData(data, 'Log event data');
    } catch (error) {
      return Promise.reject(error);
    }
    this.observeLatest();
    const event: StoredEvent = { id, t: encodeStamp(this.clock.tick()), data: deepFreeze(cloneJsonData(data)) };
    this.own.push(event);
    this.sorted = undefined;
    this.changes.fire();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      this.writes.kick();
    });
  }

  /**
   * Folds the logs of writers that are gone (this one's too with `self`) into the snapshot record, then removes their
   * files — the convergent keys' fold, with lines for contributions: never an event lost or doubled.
   */
  async fold(self = false): Promise<number> {
    return foldGoneWriters(this.host, this.key, this.foldKind, self);
  }

  /** Logs as the fold sees them (fold.ts): their events added to the snapshot, each id once. */
  private readonly foldKind: FoldKind<Snapshot> = {
    writerOf: writerOfLog,
    filesOf: (writer) => [logFileName(writer)],
    parse: (payload) => this.parseSnapshot(payload, true),
    absorb: (base, writer, genPath) => {
      const read = readLogFrom(this.host.fs, genPath, writer, 0);
      const known = new Set(base.events.map((e) => e.id));
      const events = [...base.events];
      for (const e of read?.events ?? []) {
        if (known.has(e.id)) continue;
        known.add(e.id);
        events.push({ ...e, w: writer });
      }
      return { base: { ...base, events }, amount: read?.events.length ?? 0 };
    },
    encode: (base) => ({ log: 1, events: [...base.events].sort(compareEvents), folded: { ...base.folded } }),
  };

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.writes.idle;
    try {
      if (this.ownDurable > 0) await this.fold(true);
    } catch (error) {
      this.host.log('warn', `log ${JSON.stringify(this.key)}: folding this window's log: ${String(error)}`);
    }
    for (const s of this.subscriptions) s.dispose();
    this.changes.dispose();
  }

  private parseSnapshot(payload: unknown, strict = false): Snapshot {
    try {
      return parseSnapshot(payload);
    } catch (error) {
      const message = `Store key ${JSON.stringify(this.key)} does not hold a log: ${String((error as Error).message ?? error)}`;
      if (strict) throw new StoreError(message, { key: this.key });
      if (this.snapshotVersion !== this.host.get(this.key).version) this.host.log('error', `${message}; reading it as empty`);
      return { events: [], folded: {} };
    }
  }

  private refresh(file?: string): void {
    if (this.disposed) return;
    try {
      this.refreshUnsafe(file);
    } catch (error) {
      this.host.log('warn', `log ${JSON.stringify(this.key)}: ${String(error)}`);
    }
  }

  private refreshUnsafe(file: string | undefined): void {
    let changed = false;
    const record = this.host.get(this.key);
    if (record.version !== this.snapshotVersion) {
      this.snapshot = this.parseSnapshot(record.payload);
      this.snapshotVersion = record.version;
      file = undefined;
      changed = true;
    }
    const gen = this.host.generation(this.key, false);
    if (gen?.name !== this.readGen) {
      this.others.clear();
      this.readGen = gen?.name;
      file = undefined;
      changed = true;
    }
    if (gen !== undefined) {
      if (this.ownDurable > 0 && this.writtenGen !== gen.name) this.rewrite();
      const named = file === undefined ? undefined : writerOfLog(file);
      const writers = new Set<string>(named === undefined ? [] : [named]);
      if (named === undefined) {
        for (const name of listFolder(this.host.fs, gen.path)) {
          const writer = writerOfLog(name);
          if (writer !== undefined) writers.add(writer);
        }
        for (const writer of this.others.keys()) writers.add(writer);
      }
      const vanished: string[] = [];
      for (const writer of writers) {
        if (writer === this.host.writer) continue;
        const known = this.others.get(writer) ?? { events: [], end: 0 };
        const read = readLogFrom(this.host.fs, gen.path, writer, known.end);
        if (read === undefined) {
          if (this.others.has(writer)) vanished.push(writer);
          continue;
        }
        if (read.events.length === 0 && this.others.has(writer)) continue;
        // The cached list is this reader's own: new lines are added to it, not copied with it.
        for (const e of read.events) known.events.push(e);
        known.end = read.end;
        this.others.set(writer, known);
        changed ||= read.events.length > 0;
      }
      if (vanished.length > 0) {
        // A log's file goes only after a fold naming it is durable: read the snapshot again before forgetting it.
        this.host.reload(this.key);
        const fresh = this.host.get(this.key);
        if (fresh.version !== this.snapshotVersion) {
          this.snapshot = this.parseSnapshot(fresh.payload);
          this.snapshotVersion = fresh.version;
        }
        for (const writer of vanished) this.others.delete(writer);
        changed = true;
      }
    }
    if (!changed) return;
    this.sorted = undefined;
    this.changes.fire();
  }

  /** Later appends are stamped above every event this window has read. */
  private observeLatest(): void {
    const latest = [this.snapshot.events.at(-1)?.t, ...[...this.others.values()].map((o) => o.events.at(-1)?.t)].filter((t): t is string => t !== undefined);
    if (latest.length > 0) this.clock.observe(decodeStamp(latest.reduce((a, b) => (a > b ? a : b))));
  }

  /**
   * Every list is already in stamp order (the snapshot is written sorted; a writer's stamps only go up), so the
   * entries are a merge of a few sorted lists, not a sort of all events; each event's entry object is made once.
   */
  private merge(): LogEntry[] {
    const lists: { events: readonly StoredEvent[]; writer?: string }[] = [{ events: this.snapshot.events }];
    for (const [writer, log] of this.others) if (!Object.hasOwn(this.snapshot.folded, writer)) lists.push({ events: log.events, writer });
    lists.push({ events: this.own, writer: this.host.writer });
    const sorted = lists.map(({ events, writer }) => {
      const entries = events.map((e) => this.entryOf(e, writer));
      return inOrder(entries) ? entries : [...entries].sort(compareEntries);
    });
    const heads = sorted.map(() => 0);
    const seen = new Set<string>();
    const merged: LogEntry[] = [];
    for (;;) {
      let pick = -1;
      for (let i = 0; i < sorted.length; i++) {
        const candidate = (sorted[i] as LogEntry[])[heads[i] as number];
        if (candidate === undefined) continue;
        if (pick < 0 || compareEntries(candidate, (sorted[pick] as LogEntry[])[heads[pick] as number] as LogEntry) < 0) pick = i;
      }
      if (pick < 0) return merged;
      const entry = (sorted[pick] as LogEntry[])[heads[pick] as number] as LogEntry;
      heads[pick] = (heads[pick] as number) + 1;
      if (seen.has(entry.id)) continue;
      seen.add(entry.id);
      merged.push(entry);
    }
  }

  /** The frozen entry for an event, made once per event (a snapshot's events name their writer, logs' do not). */
  private entryOf(event: StoredEvent & { w?: string }, writer: string | undefined): LogEntry {
    let entry = this.entryCache.get(event);
    if (entry === undefined) {
      entry = Object.freeze({ id: event.id, data: event.data, writer: writer ?? event.w ?? '', stamp: event.t });
      this.entryCache.set(event, entry);
    }
    return entry;
  }

  /** One step of the write loop: the folder's rewrite if one is wanted, else the next batch of appends. */
  private async step(): Promise<void> {
    if (this.rewriteWanted) {
      this.rewriteWanted = false;
      const bytes = Buffer.concat(this.own.slice(0, this.ownDurable).map(encodeLine));
      await this.write(0, bytes).then(
        () => (this.ownLength = bytes.length),
        (error: unknown) => this.host.log('warn', `log ${JSON.stringify(this.key)}: rewriting this window's log: ${String(error)}`),
      );
      return;
    }
    // Appends made while a write is in flight go together in the next one.
    const batch = this.queue.splice(0);
    const bytes = Buffer.concat(batch.map((p) => encodeLine(p.event)));
    try {
      await this.write(this.ownLength, bytes);
      this.ownLength += bytes.length;
      this.ownDurable += batch.length;
      for (const p of batch) p.resolve();
    } catch (error) {
      const applied = (error as { applied?: boolean }).applied === true;
      if (applied) {
        this.ownLength += bytes.length;
        this.ownDurable += batch.length;
      } else {
        // Nothing of it reached the file as whole lines: the events are dropped (the next write goes over them).
        for (const p of batch) this.own.splice(this.own.indexOf(p.event), 1);
        this.sorted = undefined;
        this.changes.fire();
      }
      const reason = new StoreError(`Store key ${JSON.stringify(this.key)}: appending to this window's log failed: ${String(error)}`, { key: this.key, cause: error, applied });
      for (const p of batch) p.reject(reason);
    }
  }

  /** After the folder was emptied: this window's durable events again, into the new generation. */
  private rewrite(): void {
    this.writtenGen = this.readGen;
    this.rewriteWanted = true;
    this.writes.kick();
  }

  /**
   * Writes `bytes` at `position` of this window's log. Into a new generation (the folder was emptied) the whole log
   * goes, not just the new lines.
   */
  private async write(position: number, bytes: Buffer): Promise<void> {
    this.writtenGen = await writeInGeneration(this.host, this.key, logFileName(this.host.writer), (path, generation) => {
      if (this.writtenGen === undefined || this.writtenGen === generation || position === 0) return writeOwnFile(this.host.fs, path, bytes, position, false, this.host.fixModes());
      const earlier = Buffer.concat(this.own.slice(0, this.ownDurable).map(encodeLine));
      this.ownLength = earlier.length;
      return writeOwnFile(this.host.fs, path, Buffer.concat([earlier, bytes]), 0, true, this.host.fixModes());
    });
  }
}

function compareEntries(a: LogEntry, b: LogEntry): number {
  return a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.writer < b.writer ? -1 : a.writer > b.writer ? 1 : 0;
}

function inOrder(entries: readonly LogEntry[]): boolean {
  for (let i = 1; i < entries.length; i++) if (compareEntries(entries[i - 1] as LogEntry, entries[i] as LogEntry) > 0) return false;
  return true;
}

export function compareEvents(a: StoredEvent & { w: string }, b: StoredEvent & { w: string }): number {
  return a.t < b.t ? -1 : a.t > b.t ? 1 : a.w < b.w ? -1 : a.w > b.w ? 1 : 0;
}
