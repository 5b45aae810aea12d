import { systemClock, type Clock } from './clock';
import { isObject, type SessionSummary } from './progressRecord';
import type { RecordStore } from './recordStore';
import {
  canonicalJson,
  EMPTY_SYNCED,
  encodeSynced,
  isCounted,
  mergeSynced,
  parseSynced,
  partContent,
  retireStale,
  samePartContent,
  type SyncedProgress,
} from './syncedProgress';

/** Store key of this machine's sync record: its machine id, the merged synced state, what was applied and when news came. */
export const SYNC_RECORD_KEY = 'breathMaster.sync';

export interface SyncRecord {
  /** This machine's id in synced progress: made once per store folder (an emptied folder makes a new machine). */
  readonly machine: string | null;
  readonly state: SyncedProgress;
  /** The id of the newest reset this machine has applied to its own data (or made itself). */
  readonly appliedReset: string | null;
  /** When another machine's newer progress last arrived, and from which machines. */
  readonly arrived: { readonly at: number; readonly from: readonly string[] } | null;
}

export const EMPTY_SYNC_RECORD: SyncRecord = { machine: null, state: EMPTY_SYNCED, appliedReset: null, arrived: null };


/** The record as stored, whatever it holds: an unreadable state reads as empty (it is rebuilt from the machines). */
export function normalizeSyncRecord(v: unknown): SyncRecord {
  if (!isObject(v)) return EMPTY_SYNC_RECORD;
  let state = EMPTY_SYNCED;
  try {
    state = parseSynced(v.state);
  } catch {
    // A hand-edited or damaged state: the next value from Settings Sync and this machine's own part rebuild it.
  }
  const arrived = isObject(v.arrived) && typeof v.arrived.at === 'number' && Array.isArray(v.arrived.from) ? { at: v.arrived.at, from: v.arrived.from.filter((m): m is string => typeof m === 'string').slice(0, 64) } : null;
  return {
    machine: typeof v.machine === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v.machine) ? v.machine : null,
    state,
    appliedReset: typeof v.appliedReset === 'string' ? v.appliedReset : null,
    arrived,
  };
}

function encodeRecord(r: SyncRecord): Record<string, unknown> {
  return { machine: r.machine, state: encodeSynced(r.state), appliedReset: r.appliedReset, arrived: r.arrived };
}

/** What the engine must do with its own data for the sync (the tracker provides these). */
export interface SyncedTracker {
  progress(): import('./progressRecord').ProgressRecord;
  /** Every day this machine's progress says was meditated. */
  meditatedDays(): Iterable<import('./calendar').LocalDay>;
  /** Clears this machine's progress and history as Clear Data does, without announcing a reset of its own. */
  clearLocal(): Promise<void>;
  /** Adds machine `from`'s sessions to the history (by id: a session already there is kept once; not counted as XP here). */
  addSessions(sessions: readonly SessionSummary[], from: string): Promise<number>;
}

export interface ReceiveResult {
  /** Machines whose newer progress this value brought. */
  readonly arrived: readonly string[];
  /** A reset made on another machine was applied to this machine's data. */
  readonly cleared: boolean;
  /** The value was not synced progress (it was merged as nothing). */
  readonly error?: string;
}

/**
 * This machine's side of progress sync: receives what Settings Sync brought (merging it into the store, never
 * copying it over), keeps this machine's part current, applies a Clear Data made elsewhere, and says what to put
 * into `globalState` so that Settings Sync carries what this machine knows. Holds no state of its own: everything
 * is in the sync record, shared by the machine's windows through the store.
 */
export class ProgressSync {
  private readonly clock: Clock;
  private readonly newId: () => string;

  constructor(
    private readonly store: RecordStore,
    private readonly tracker: SyncedTracker,
    options: { clock?: Clock; newId?: () => string } = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.newId = options.newId ?? (() => globalThis.crypto.randomUUID());
  }

  record(): SyncRecord {
    return normalizeSyncRecord(this.store.get<unknown>(SYNC_RECORD_KEY).payload);
  }

  private async write(change: (r: SyncRecord) => SyncRecord): Promise<SyncRecord> {
    let after = EMPTY_SYNC_RECORD;
    await this.store.update<unknown>(SYNC_RECORD_KEY, (cur) => {
      after = change(normalizeSyncRecord(cur));
      return encodeRecord(after);
    });
    return after;
  }

  /** This machine's id, made on first use (windows making it at once agree: the first commit wins). */
  async machine(): Promise<string> {
    const known = this.record().machine;
    if (known !== null) return known;
    const id = this.newId().replace(/[^A-Za-z0-9_-]/g, '').slice(0, 64) || 'machine';
    return (await this.write((r) => (r.machine !== null ? r : { ...r, machine: id }))).machine as string;
  }

  /**
   * Merges a value another machine's Settings Sync left in `globalState` into the store. Then: a reset made
   * elsewhere that names this machine's part is applied to this machine's data (once), the other machines'
   * newest sessions join the history, and this machine's part is brought up to date. Anything unreadable changes
   * nothing and says why.
   */
  async receive(raw: unknown): Promise<ReceiveResult> {
    let remote = EMPTY_SYNCED;
    let error: string | undefined;
    try {
      remote = parseSynced(raw);
    } catch (e) {
      // Merged as nothing: this machine's own part is still brought up to date, and `outgoing` writes over it.
      error = e instanceof Error ? e.message : String(e);
    }
    const me = await this.machine();
    const before = this.record();
    const merged = mergeSynced(before.state, remote);
    let arrived: string[] = [];
    if (canonicalJson(merged) !== canonicalJson(before.state)) {
      const now = this.clock.now();
      await this.write((r) => {
        const state = mergeSynced(r.state, remote);
        arrived = Object.keys(state.machines).filter((m) => m !== me && (r.state.machines[m]?.rev ?? 0) < (state.machines[m]?.rev ?? 0));
        return { ...r, state, arrived: arrived.length > 0 ? { at: now, from: arrived } : r.arrived };
      });
    }
    const cleared = await this.applyReset(me);
    await this.addOtherSessions(me);
    await this.publishOwn();
    return error === undefined ? { arrived, cleared } : { arrived, cleared, error };
  }

  /**
   * A reset made on another machine clears this machine's data when the resetting machine had seen this machine's
   * part (it cleared what it showed); a machine it had never heard of keeps its progress, which then counts from now.
   */
  private async applyReset(me: string): Promise<boolean> {
    const r = this.record();
    const reset = r.state.reset;
    if (reset === null || reset.id === r.appliedReset || reset.by === me) return false;
    const named = reset.seen[me] !== undefined;
    // Cleared first, marked applied after: killed in between, the next window clears again (nothing new to lose).
    if (named) await this.tracker.clearLocal();
    await this.write((cur) => ({ ...cur, appliedReset: reset.id }));
    return named;
  }

  private async addOtherSessions(me: string): Promise<void> {
    const { state } = this.record();
    const after = state.reset?.at ?? -Infinity;
    for (const [id, part] of Object.entries(state.machines)) {
      if (id === me || !isCounted(id, part, state.reset)) continue;
      const sessions = part.recent.filter((s) => s.endedAt > after);
      if (sessions.length > 0) await this.tracker.addSessions(sessions, id);
    }
  }

  /** Brings this machine's part up to date with its progress; writes nothing when it already says the same. */
  async publishOwn(): Promise<boolean> {
    const me = await this.machine();
    const current = (r: SyncRecord) => {
      const mine = r.state.machines[me];
      return mine !== undefined && isCounted(me, mine, r.state.reset) && samePartContent(mine, partContent(this.tracker.progress(), this.tracker.meditatedDays()));
    };
    // A part a reset left uncounted is written again even when it says the same: what it says now counts.
    if (current(this.record())) return false;
    const now = this.clock.now();
    await this.write((r) => {
      if (current(r)) return r;
      const mine = r.state.machines[me];
      const fresh = partContent(this.tracker.progress(), this.tracker.meditatedDays());
      const part = { ...fresh, rev: (mine?.rev ?? 0) + 1, at: now };
      return { ...r, state: { ...r.state, machines: { ...r.state.machines, [me]: part } } };
    });
    return true;
  }

  /**
   * Clear Data on this machine: a reset naming the rev of every part this machine knows (so every machine whose
   * progress was shown here clears itself when it hears of it), then this machine's cleared part.
   */
  async recordReset(): Promise<void> {
    const me = await this.machine();
    const id = this.newId();
    await this.write((r) => {
      const seen: Record<string, number> = {};
      for (const [m, part] of Object.entries(r.state.machines)) seen[m] = part.rev;
      // Later than any reset known here, whatever this machine's clock says: the newest reset is the one with the
      // greatest time, and this one must win over every reset it has seen.
      const at = Math.max(this.clock.now(), (r.state.reset?.at ?? 0) + 1);
      return { ...r, state: { ...r.state, reset: { id, at, by: me, seen } }, appliedReset: id };
    });
    await this.publishOwn();
  }

  /**
   * The value to put into `globalState` so that Settings Sync carries everything this machine knows, or undefined
   * when `current` (what is there now) already holds it: merge, never replace, and write only when it adds something.
   */
  outgoing(current: unknown): Record<string, unknown> | undefined {
    let there = EMPTY_SYNCED;
    try {
      there = parseSynced(current);
    } catch {
      // Unreadable: replaced by what this machine knows (which it merged before, if it was ever readable).
    }
    const record = this.record();
    const merged = record.machine === null ? mergeSynced(there, record.state) : retireStale(mergeSynced(there, record.state), record.machine, this.clock.now());
    if (current !== undefined && canonicalJson(encodeSynced(merged)) === canonicalJson(current)) return undefined;
    if (Object.keys(merged.machines).length === 0 && merged.reset === null) return undefined;
    return encodeSynced(merged);
  }
}
