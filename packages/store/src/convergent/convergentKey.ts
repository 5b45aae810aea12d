import { Emitter } from '../emitter';
import { StoreError } from '../errors';
import { type FileSystem, listFolder } from '../files';
import type { Generation } from '../keyFolder';
import type { Disposable, Event, StoreChange, VersionedData } from '../types';
import { type Contribution, encodeSlot, readContribution, readSlot, slotFileName, slotOfFile, writerOfSlot } from './contribution';
import { type FoldKind, foldGoneWriters } from './fold';
import { writeInGeneration, writeOwnFile } from './ownFiles';
import { WriteLoop } from './writeLoop';
import type { ConvergentType } from './type';

/** What a convergent key needs of its store: its base record, its generation folder and its folder's events. */
export interface ConvergentHost {
  fs: FileSystem;
  /** This store instance's writer tag: the name of its contributions. */
  writer: string;
  fixModes(): boolean;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  /** For the metrics: a fold was committed, folding this many writers. */
  folded(writers: number): void;
  generation(key: string, create: boolean): Generation | undefined;
  resetGeneration(key: string): void;
  /** The base record as this instance knows it (cached), and fresh from disk (announcing a change, if any). */
  get(key: string): VersionedData<unknown>;
  reload(key: string): void;
  update(key: string, updater: (payload: unknown) => unknown): Promise<VersionedData<unknown>>;
  onDidChange: Event<StoreChange>;
  /** Events in the key's folder (`file`: the entry named, if known) and, when polling, every poll. */
  onFolderEvent(key: string, listener: (file: string | undefined) => void): Disposable;
}

/**
 * The record of a convergent key: the merged state of every contribution folded into it, and which contributions
 * those were (writer → the number folded). A folded writer stays listed until its slot files are seen gone, so
 * a contribution is never merged twice (design.md, "Convergent keys").
 */
export interface Base<S> {
  state: S;
  folded: Record<string, number>;
}

/**
 * A convergent key's record payload as its base (absent: the empty base); throws a TypeError saying what is wrong
 * when it is not a base of `type` (also for the inspector).
 */
export function parseBase<S>(payload: unknown, type: ConvergentType<S, unknown>): Base<S> {
  if (payload === undefined) return { state: type.empty(), folded: {} };
  const p = payload as Record<string, unknown>;
  if (typeof p !== 'object' || p === null || p.convergent !== type.name) throw new TypeError(`it holds no ${type.name}`);
  const folded = p.folded as Record<string, unknown>;
  if (typeof folded !== 'object' || folded === null || Array.isArray(folded)) throw new TypeError('its folded writers are not a record');
  const checked: Record<string, number> = {};
  for (const [writer, seq] of Object.entries(folded)) {
    if (writerOfSlot(slotFileName(writer, 0)) !== writer || !Number.isSafeInteger(seq) || (seq as number) < 0) throw new TypeError(`bad folded writer ${JSON.stringify(writer)}`);
    checked[writer] = seq as number;
  }
  return { state: type.parse(p.state), folded: checked };
}

interface Pending<S> {
  change: (own: S, merged: S) => S;
  state: S;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * A key whose value is a state-based CRDT. Each store instance writes only its own contribution (two slot files, see
 * contribution.ts), so changes from different windows never race on a compare-and-set; readers merge the base record
 * with every contribution not folded into it. Contributions of writers that are gone are folded into the base with
 * one compare-and-set, then removed.
 */
export class ConvergentKey<S, V> {
  readonly onDidChange: Event<V>;
  private readonly changes = new Emitter<V>();
  private readonly subscriptions: Disposable[] = [];
  /** This writer's state, including changes not yet durable; `durable` is what the last complete write held. */
  private own: S;
  private durable: S;
  private writtenSeq = 0;
  private writtenGen: string | undefined;
  private queue: Pending<S>[] = [];
  private readonly writes = new WriteLoop(
    () => this.queue.length > 0 || this.rewriteWanted,
    () => this.step(),
    (error) => this.host.log('error', `convergent key ${JSON.stringify(this.key)}: ${String(error)}`),
  );
  /** The folder was emptied: write the durable state again. */
  private rewriteWanted = false;
  private readonly others = new Map<string, Contribution<S>>();
  private readGen: string | undefined;
  private base: Base<S>;
  private baseVersion = -1;
  private current: { value: V; json: string };
  private mergedState: S;
  private disposed = false;

  constructor(
    private readonly host: ConvergentHost,
    readonly key: string,
    readonly type: ConvergentType<S, V>,
  ) {
    this.own = this.durable = type.empty();
    this.base = { state: type.empty(), folded: {} };
    this.onDidChange = this.changes.event;
    this.mergedState = type.empty();
    const value = type.value(this.mergedState);
    this.current = { value, json: JSON.stringify(value) };
    this.subscriptions.push(
      host.onDidChange((e) => {
        if (e.key === key) this.refresh();
      }),
      host.onFolderEvent(key, (file) => this.refresh(file)),
    );
    this.refresh();
  }

  /** The merged value of every writer's changes this instance knows of (its own included at once). */
  value(): V {
    return this.current.value;
  }

  /** The merged state behind `value()` (what a remove must have observed, what a stamp must be above). */
  merged(): S {
    return this.mergedState;
  }

  /**
   * Applies `change` to this writer's contribution (`own`: only this writer's changes; `merged`: everything known)
   * and resolves once it is durable. `change` must return a state that contains `own` (a writer's states only grow).
   */
  change(change: (own: S, merged: S) => S): Promise<V> {
    if (this.disposed) return Promise.reject(new StoreError('The store has been disposed', { key: this.key }));
    let state: S;
    try {
      state = change(this.own, this.mergedState);
    } catch (error) {
      return Promise.reject(error);
    }
    this.own = state;
    this.recompute();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ change, state, resolve, reject });
      this.writes.kick();
    }).then(() => this.current.value);
  }

  /**
   * Folds the contributions of writers that are gone (and this one's, with `self`, once it writes no more) into the
   * base record and removes their files. Killed or frozen half-way, or run by two windows at once, it neither loses
   * nor doubles a contribution: the base names what it folded, and a writer's files go only after that is durable.
   * Resolves with the number of writers this call folded.
   */
  async fold(self = false): Promise<number> {
    return foldGoneWriters(this.host, this.key, this.foldKind, self);
  }

  /** Contributions as the fold sees them (fold.ts): merged into the base's state, the base compacted. */
  private readonly foldKind: FoldKind<Base<S>> = {
    writerOf: writerOfSlot,
    filesOf: (writer) => [slotFileName(writer, 0), slotFileName(writer, 1)],
    parse: (payload) => this.parseBase(payload, true),
    absorb: (base, writer, genPath) => {
      const { contribution, held } = readContribution(this.host.fs, genPath, this.key, this.type, writer);
      // A slot that cannot be opened now may hold the newest state: that writer waits for the next fold. Slots that
      // were read and are torn held nothing acknowledged (a writer's first write, killed half-way).
      if (held) return undefined;
      return { base: contribution ? { ...base, state: this.type.merge(base.state, contribution.state) } : base, amount: contribution?.seq ?? 0 };
    },
    encode: (base) => ({ convergent: this.type.name, state: this.type.compact(base.state), folded: { ...base.folded } }),
  };

  /** Writes what is queued, folds this writer's contribution into the base and stops listening. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.writes.idle;
    try {
      if (this.writtenSeq > 0) await this.fold(true);
    } catch (error) {
      this.host.log('warn', `convergent key ${JSON.stringify(this.key)}: folding this window's contribution: ${String(error)}`);
    }
    for (const s of this.subscriptions) s.dispose();
    this.changes.dispose();
  }

  /** The base record's payload as a base; a payload of another kind is refused (strict) or read as empty. */
  private parseBase(payload: unknown, strict = false): Base<S> {
    try {
      return parseBase(payload, this.type);
    } catch (error) {
      const message = `Store key ${JSON.stringify(this.key)} does not hold a convergent ${this.type.name}: ${String((error as Error).message ?? error)}`;
      if (strict) throw new StoreError(message, { key: this.key });
      if (this.baseVersion !== this.host.get(this.key).version) this.host.log('error', `${message}; reading it as empty`);
      return { state: this.type.empty(), folded: {} };
    }
  }

  /** Reads what changed: the base, one slot (`file`) or every contribution; then recomputes the value. */
  private refresh(file?: string): void {
    if (this.disposed) return;
    try {
      this.refreshUnsafe(file);
    } catch (error) {
      this.host.log('warn', `convergent key ${JSON.stringify(this.key)}: ${String(error)}`);
    }
  }

  private refreshUnsafe(file: string | undefined): void {
    const record = this.host.get(this.key);
    if (record.version !== this.baseVersion) {
      this.base = this.parseBase(record.payload);
      this.baseVersion = record.version;
      file = undefined;
    }
    const gen = this.host.generation(this.key, false);
    if (gen?.name !== this.readGen) {
      this.others.clear();
      this.readGen = gen?.name;
      file = undefined;
    }
    if (gen === undefined) return this.recompute();
    // The folder was emptied or replaced under this writer: its contribution goes into the new one.
    if (this.writtenSeq > 0 && this.writtenGen !== gen.name && !this.disposed) this.rewrite();
    const named = file === undefined ? undefined : writerOfSlot(file);
    const writers = new Set<string>(named === undefined ? [] : [named]);
    if (named === undefined) {
      for (const name of listFolder(this.host.fs, gen.path)) {
        const writer = writerOfSlot(name);
        if (writer !== undefined) writers.add(writer);
      }
      for (const writer of this.others.keys()) writers.add(writer);
    }
    const vanished: string[] = [];
    // One slot named by an event of a writer already known: only that slot changed (the other one is already read).
    const slot = named !== undefined && this.others.has(named) && file !== undefined ? slotOfFile(file) : undefined;
    for (const writer of writers) {
      if (writer === this.host.writer) continue;
      const read = slot === undefined ? readContribution(this.host.fs, gen.path, this.key, this.type, writer) : readSlot(this.host.fs, gen.path, this.key, this.type, writer, slot);
      const { contribution } = read;
      // Only a look at both slots can tell a writer's files are gone.
      const present = slot === undefined ? read.present : true;
      if (contribution === undefined) {
        // Unreadable for now (torn while written, or held): keep what was read last. Gone: see below.
        if (!present && this.others.has(writer)) vanished.push(writer);
        continue;
      }
      const known = this.others.get(writer);
      if (known === undefined || contribution.seq > known.seq) this.others.set(writer, contribution);
    }
    if (vanished.length > 0) {
      // A contribution's files go only after a fold naming it is durable: read the base again before forgetting it,
      // or the value would dip until the fold's own event arrives.
      this.host.reload(this.key);
      const fresh = this.host.get(this.key);
      if (fresh.version !== this.baseVersion) {
        this.base = this.parseBase(fresh.payload);
        this.baseVersion = fresh.version;
      }
      for (const writer of vanished) this.others.delete(writer);
    }
    this.recompute();
  }

  private recompute(): void {
    let merged = this.type.merge(this.base.state, this.own);
    for (const [writer, contribution] of this.others) if (!Object.hasOwn(this.base.folded, writer)) merged = this.type.merge(merged, contribution.state);
    this.mergedState = merged;
    const value = this.type.value(merged);
    const json = JSON.stringify(value);
    if (json === this.current.json) return;
    this.current = { value, json };
    this.changes.fire(value);
  }

  /** One step of the write loop: the folder's rewrite if one is wanted, else the next batch. */
  private async step(): Promise<void> {
    if (this.rewriteWanted) {
      this.rewriteWanted = false;
      // A batch queued behind carries the whole state into the new folder anyway.
      if (this.queue.length === 0 && this.writtenSeq > 0) {
        await this.write(this.durable).catch((error: unknown) => this.host.log('warn', `convergent key ${JSON.stringify(this.key)}: rewriting this window's contribution: ${String(error)}`));
      }
      return;
    }
    // Changes made while a write is in flight go together in the next one.
    const batch = this.queue.splice(0);
    const state = (batch.at(-1) as Pending<S>).state;
    try {
      await this.write(state);
      this.durable = state;
      for (const p of batch) p.resolve();
    } catch (error) {
      const applied = (error as { applied?: boolean }).applied === true;
      if (applied) this.durable = state;
      else this.replay();
      const reason = new StoreError(`Store key ${JSON.stringify(this.key)}: writing this window's contribution failed: ${String(error)}`, { key: this.key, cause: error, applied });
      for (const p of batch) p.reject(reason);
    }
  }

  /** A write that failed before its data reached the file: the changes queued after it are re-applied on what is durable. */
  private replay(): void {
    let state = this.durable;
    for (const p of this.queue.splice(0)) {
      try {
        p.state = state = p.change(state, this.mergedState);
        this.queue.push(p);
      } catch (error) {
        p.reject(error);
      }
    }
    this.own = state;
    this.recompute();
  }

  /** After the folder was emptied: the durable contribution again, into the new generation. */
  private rewrite(): void {
    this.writtenGen = this.readGen;
    this.rewriteWanted = true;
    this.writes.kick();
  }

  /**
   * One durable write of this writer's contribution as number `writtenSeq + 1`. A failed write keeps its number, so
   * the next one goes to the same slot and the other slot's whole state is never overwritten by a torn one.
   */
  private async write(state: S): Promise<void> {
    const seq = this.writtenSeq + 1;
    const bytes = encodeSlot(this.key, this.type as ConvergentType<unknown, unknown>, { writer: this.host.writer, seq, state });
    this.writtenGen = await writeInGeneration(this.host, this.key, slotFileName(this.host.writer, seq), (path) => writeOwnFile(this.host.fs, path, bytes, 0, true, this.host.fixModes()));
    this.writtenSeq = seq;
  }
}
