import { Emitter } from '@breath-master/store';
import { cycleMs, FALLBACK_PATTERN, type BreathingPattern } from './breathing';
import { localDayOf, type LocalDay } from './calendar';
import { systemClock, type Clock } from './clock';
import { focusLease, holdsLease, nextLease, normalizeLease, PRESENCE_KEY, releaseLease, type CounterLease } from './counterLease';
import { buildExport, mergeImport, parseImport, type ExportedData } from './exchange';
import { mergeLegacy, parseLegacyStats } from './legacy';
import { defaultGoalMinutes, levelForXp, levelProgress, type LevelProgress } from './levels';
import {
  EMPTY_HISTORY,
  EMPTY_PROGRESS,
  HISTORY_KEY,
  HISTORY_LIMIT,
  normalizeHistory,
  normalizeProgress,
  PROGRESS_KEY,
  RECENT_LIMIT,
  type HistoryRecord,
  type ProgressRecord,
  type SessionSummary,
} from './progressRecord';
import type { Disposable, Event, RecordLog, RecordLogEntry, RecordStore } from './recordStore';
import { clearEventId, MIGRATED_EVENT_ID, OLDER_EVENT_ID, readSessionLog, sessionEvent, sessionEventId, SESSIONS_KEY, type SessionLogView } from './sessionLog';
import { activeMsAt, cyclePlan, endBonus, MINUTE_MS, pausedTooLong, pauseSession, resumeSession, runningSession, trimUncountedTime, validGoalMinutes, type SessionState, type SharedSession } from './session';
import { markMeditationDay, STREAK_MILESTONES, visibleStreak } from './streak';
import { normalizeSyncRecord, SYNC_RECORD_KEY } from './progressSync';
import { combinedStreak, localDays, NO_OTHER_MACHINES, otherMachines, type OtherMachines } from './syncedProgress';
import { BASE_GRANT_ID, baseGrant, LEGACY_GRANT_ID, readEarnings, type Earnings, type Grant } from './earnings';

export interface MeditationTrackerOptions {
  clock?: Clock;
  /** New session ids; default `crypto.randomUUID()`. */
  newId?: () => string;
  /** The breathing pattern whose cycles earn XP in this window (see `setPattern`). */
  pattern?: BreathingPattern;
  /** Progress tracking (XP, levels, streaks) at the start; default on. See `setTracking`. */
  tracking?: boolean;
  /**
   * How long "a minute" of a session goal is, in ms; default 60 000. Only the e2e tests shorten it (see
   * src/vscode/testHooks.ts): the goal is reached, and the end bonus paid in full, after `goalMinutes × minuteMs`.
   */
  minuteMs?: number;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

/** The shared session as the status bar shows it. */
export interface SessionView {
  readonly id: string;
  readonly state: SessionState;
  readonly goalMinutes: number;
  readonly startedAt: number;
  readonly activeMs: number;
  readonly remainingMs: number;
  /** 0..1 of the goal. */
  readonly progress: number;
  readonly goalReached: boolean;
  /** Some window already said "goal reached" for this session. */
  readonly goalAnnounced: boolean;
  readonly cycles: number;
}

/** Everything the progress item, Show Progress and the quick menu need, as of one instant. */
export interface ProgressSnapshot {
  /** The progress record's store version (0 before anything was recorded). */
  readonly version: number;
  readonly xp: number;
  readonly level: LevelProgress;
  readonly streak: {
    /** 0 once a day was missed, even before the next meditation resets it. */
    readonly current: number;
    readonly longest: number;
    readonly lastDay: LocalDay | null;
    readonly meditatedToday: boolean;
  };
  readonly today: { readonly day: LocalDay; readonly activeMs: number; readonly sessions: number };
  readonly totals: { readonly activeMs: number; readonly sessions: number };
  readonly session: SessionView | null;
  /** Newest last. */
  readonly recent: readonly SessionSummary[];
  readonly defaultGoalMinutes: number;
  /** Machines whose progress is counted here: this one and those Settings Sync brought (see progressSync.ts). */
  readonly machines: number;
}

export type ProgressNotification =
  | { readonly kind: 'levelUp'; readonly level: number; readonly title: string; readonly xp: number }
  | { readonly kind: 'streak'; readonly days: number };

export interface StartResult {
  readonly session: SessionView;
  /** false when a session was already running (in any window): that one is returned, nothing changed. */
  readonly started: boolean;
}

export interface EndResult {
  /** true only in the one window whose commit ended the session. */
  readonly ended: boolean;
  readonly summary?: SessionSummary;
  /** Cycle XP credited at the end plus the time bonus (0 when not ended here, and with tracking off). */
  readonly xpAwarded: number;
  /** Whether progress tracking was on for this end (with it off, nothing of XP or streaks changed). */
  readonly tracking: boolean;
}

export type ImportResult =
  | { readonly ok: true; readonly xpBefore: number; readonly xpAfter: number; readonly sessionsAdded: number; readonly skippedSessions: number }
  | { readonly ok: false; readonly error: string; readonly template?: string; readonly args?: readonly (string | number)[] };

/** Whether a failed update may have been committed anyway (the store's `StoreError.applied`: true or 'unknown'). */
export function mayHaveApplied(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('applied' in error)) return false;
  return (error as { applied: unknown }).applied !== false;
}

function defaultId(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * Meditation progress shared by every window of a user. All state lives in the store and every change is an
 * updater on the current committed value, so concurrent windows never overwrite each other.
 */
export class MeditationTracker implements Disposable {
  private readonly clock: Clock;
  private readonly newId: () => string;
  private readonly log: NonNullable<MeditationTrackerOptions['log']>;
  private pattern: BreathingPattern;
  private focused = false;
  private tracking: boolean;
  private readonly minuteMs: number;
  private disposed = false;
  /** An update of ours failed in a way that may have committed it: look at the store afresh before the next one. */
  private uncertain = false;
  private readonly snapshots: Emitter<ProgressSnapshot>;
  private readonly notifications: Emitter<ProgressNotification>;
  private readonly goals: Emitter<SessionView>;
  private readonly discards: Emitter<{ readonly sessionId: string }>;
  private readonly subscription: Disposable;
  private readonly logSubscription: Disposable;
  /** The session history: one event per ended session (see sessionLog.ts). */
  private readonly sessionLog: RecordLog;
  /** `readSessionLog` of the log's entries, kept while `entries()` gives the same array (the log did not change). */
  private logCache: { entries: readonly RecordLogEntry[]; view: SessionLogView; earnings: Earnings } | undefined;
  private othersCache: { payload: unknown; others: OtherMachines } | undefined;
  private logSnapshotQueued = false;
  private migration: Promise<number> | undefined;
  private progressMigration: Promise<boolean> | undefined;
  /** The progress record as this window last heard it (to tell an earlier version's Clear Data). */
  private lastRecord: ProgressRecord;
  /** The session this window last knew of (from its own commits and the change feed): see `onDidDiscardSession`. */
  private knownSessionId: string | null;

  /** Fires when the progress (or history) changed, by this window or another; also on `refresh()`. */
  readonly onDidChangeSnapshot: Event<ProgressSnapshot>;
  /**
   * Level-ups and streak milestones. Fired only in the window whose own commit caused the transition — the
   * compare-and-set lets exactly one commit cross a threshold, so exactly one window shows each message. That
   * window is the one that acted: the focused one (the user clicked there) or the elected cycle counter.
   */
  readonly onDidNotify: Event<ProgressNotification>;
  /**
   * The running session reached its goal. Fired once per session in one window: the counting window (the focused
   * one; with none focused, the lease holder) claims the announcement in the session record by compare-and-set.
   */
  readonly onDidReachGoal: Event<SessionView>;
  /**
   * The session this window knew of vanished without being recorded: it was not ended (an ended session is always
   * the newest of `recent`), so another window cleared the data (Clear Data). Fired once per such session, in each
   * window that knew it and did not clear it itself — a window's timer otherwise just disappears.
   */
  readonly onDidDiscardSession: Event<{ readonly sessionId: string }>;

  constructor(
    private readonly store: RecordStore,
    options: MeditationTrackerOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.newId = options.newId ?? defaultId;
    this.log = options.log ?? (() => undefined);
    this.pattern = options.pattern ?? FALLBACK_PATTERN;
    this.tracking = options.tracking ?? true;
    this.minuteMs = options.minuteMs ?? MINUTE_MS;
    const onListenerError = (error: unknown) => this.log('error', `listener failed: ${String(error)}`);
    this.snapshots = new Emitter<ProgressSnapshot>(onListenerError);
    this.notifications = new Emitter<ProgressNotification>(onListenerError);
    this.goals = new Emitter<SessionView>(onListenerError);
    this.discards = new Emitter<{ readonly sessionId: string }>(onListenerError);
    this.onDidDiscardSession = this.discards.event;
    this.knownSessionId = this.progress().session?.id ?? null;
    this.onDidChangeSnapshot = this.snapshots.event;
    this.onDidNotify = this.notifications.event;
    this.onDidReachGoal = this.goals.event;
    this.lastRecord = this.progress();
    this.subscription = store.onDidChange((e) => {
      if (e.key === PROGRESS_KEY && e.source === 'remote') this.noticeOlderClear(e.version);
      // Our own commits are noticed by `commit` itself (with what they found there): a local event may come before it.
      if (e.key === PROGRESS_KEY && e.source === 'remote') this.noticeSession(this.progress(), true);
      if (e.key === PROGRESS_KEY || e.key === SYNC_RECORD_KEY) this.fireSnapshot();
      if (e.key === PROGRESS_KEY && e.source === 'remote') this.catchUpHistory();
    });
    this.sessionLog = store.log(SESSIONS_KEY);
    // One snapshot per turn however many events arrived (an import appends thousands at once).
    this.logSubscription = this.sessionLog.onDidChange(() => {
      if (this.logSnapshotQueued) return;
      this.logSnapshotQueued = true;
      queueMicrotask(() => {
        this.logSnapshotQueued = false;
        this.fireSnapshot();
      });
    });
    this.migrateHistory().catch((error: unknown) => this.log('warn', `history migration failed: ${String(error)}`));
    this.migrateProgress().catch((error: unknown) => this.log('warn', `progress migration failed: ${String(error)}`));
    this.catchUpHistory();
  }

  // ---- reading ------------------------------------------------------------------------------------------------

  /** The progress record as this window knows it (cached; fresh within the change feed's latency). */
  progress(): ProgressRecord {
    return normalizeProgress(this.store.get<unknown>(PROGRESS_KEY).payload);
  }

  /**
   * The session history (newest HISTORY_LIMIT sessions, older ones summarised), computed from the session log's
   * entries after its last clear and cached until the log changes.
   */
  history(): HistoryRecord {
    return this.logView().history;
  }

  snapshot(now: number = this.clock.now()): ProgressSnapshot {
    const data = this.store.get<unknown>(PROGRESS_KEY);
    const p = this.localProgress(now, data.payload);
    const today = localDayOf(now);
    const others = this.otherMachines();
    const xp = Math.min(Number.MAX_SAFE_INTEGER, p.xp + others.xp);
    const streak = combinedStreak(p.streak, localDays(p), others, today);
    const mine = p.today.day === today ? p.today : { activeMs: 0, sessions: 0 };
    const theirs = others.today.get(today) ?? { activeMs: 0, sessions: 0 };
    const recent = others.recent.length === 0 ? p.recent : mergeRecent(p.recent, others.recent);
    return {
      version: data.version,
      xp,
      level: levelProgress(xp),
      streak: { current: visibleStreak(streak, today), longest: streak.longest, lastDay: streak.lastDay, meditatedToday: streak.lastDay === today },
      today: { day: today, activeMs: mine.activeMs + theirs.activeMs, sessions: mine.sessions + theirs.sessions },
      totals: { activeMs: p.totals.activeMs + others.totals.activeMs, sessions: p.totals.sessions + others.totals.sessions },
      session: p.session ? this.view(p.session, now) : null,
      recent,
      defaultGoalMinutes: defaultGoalMinutes(xp),
      machines: others.machines + 1,
    };
  }

  /**
   * This machine's progress as a progress record: XP, time, sessions, today and the streak read off the session log
   * (earnings.ts: each counted once by what earned it), the running session's cycles until its end is in the log,
   * and the session and recent sessions from the progress record. Before the record was migrated into the log (the
   * first moment this version runs), the record's own numbers.
   */
  localProgress(now: number = this.clock.now(), payload: unknown = this.store.get<unknown>(PROGRESS_KEY).payload): ProgressRecord {
    const p = normalizeProgress(payload);
    const e = this.earnings();
    if (!e.migrated) return p;
    const view = this.logView();
    const s = p.session;
    let xp = e.xp + (s && this.tracking && !e.counted.has(s.id) ? Math.max(0, s.cycles - (e.offsets.get(s.id) ?? 0)) : 0);
    const today = localDayOf(now);
    const days = new Set([...e.days, ...localDays(p)]);
    let { activeMs, sessions } = e.totals;
    const t = { ...(e.byDay.get(today) ?? { activeMs: 0, sessions: 0 }) };
    // Ended in the record, not yet in the log (another window's end whose event is on its way, or one the catch-up
    // is about to append): counted as the log will count it, so the XP never dips between the two.
    for (const r of p.recent) {
      if (view.sessionIds.has(r.id) || e.counted.has(r.id) || r.endedAt < e.through || (view.clearedAt !== null && r.endedAt <= view.clearedAt)) continue;
      const earned = this.tracking ? r.cycles + r.bonusXp : 0;
      xp += Math.max(0, earned - (e.offsets.get(r.id) ?? 0));
      activeMs += r.activeMs;
      sessions += 1;
      if (localDayOf(r.endedAt) === today) {
        t.activeMs += r.activeMs;
        t.sessions += 1;
      }
      if (earned > 0) days.add(localDayOf(r.startedAt)).add(localDayOf(r.endedAt));
    }
    const streak = combinedStreak({ current: 0, longest: Math.max(e.longestStreak, p.streak.longest), lastDay: null }, days, { ...NO_OTHER_MACHINES, days }, today);
    return {
      ...p,
      xp: Math.min(Number.MAX_SAFE_INTEGER, xp),
      totals: { activeMs, sessions },
      today: { day: today, ...t },
      streak,
    };
  }

  /** The days this machine's progress says were meditated (its log's and its streak's), for its synced part. */
  meditatedDays(): ReadonlySet<LocalDay> {
    const e = this.earnings();
    return e.migrated ? new Set([...e.days, ...localDays(this.progress())]) : localDays(this.progress());
  }

  /**
   * Progress other machines brought through Settings Sync (see progressSync.ts); none without it. Parsed once per
   * version of the sync record (the store gives the same payload until it changes): every snapshot reads it.
   */
  otherMachines(): OtherMachines {
    const payload = this.store.get<unknown>(SYNC_RECORD_KEY).payload;
    if (payload === undefined) return NO_OTHER_MACHINES;
    if (this.othersCache?.payload === payload) return this.othersCache.others;
    const r = normalizeSyncRecord(payload);
    const others = r.machine === null ? NO_OTHER_MACHINES : otherMachines(r.state, r.machine);
    this.othersCache = { payload, others };
    return others;
  }

  /** The running or paused session, if any. */
  session(now: number = this.clock.now()): SessionView | null {
    const s = this.progress().session;
    return s ? this.view(s, now) : null;
  }

  /** Re-announces the snapshot (the adapter calls this at local midnight: "today" and the streak depend on the date). */
  refresh(): void {
    this.fireSnapshot();
  }

  // ---- who counts cycles ---------------------------------------------------------------------------------------

  /** Whether this window is the one counting breathing cycles now. */
  isCounter(now: number = this.clock.now()): boolean {
    return holdsLease(this.lease(), this.store.clientId, now);
  }

  /**
   * The window gained or lost focus. With a session, a focused window takes over counting at once (one commit);
   * without one nothing is written: the lease only matters while there is something to count, and a focus change
   * must not wake every window through the change feed.
   */
  async setFocused(focused: boolean): Promise<void> {
    this.focused = focused;
    const now = this.clock.now();
    const me = this.store.clientId;
    if (this.progress().session === null) return;
    const lease = this.lease();
    if (focused) {
      if (holdsLease(lease, me, now) && lease.focused) return;
      await this.store.update<unknown>(PRESENCE_KEY, () => focusLease(me, now));
    } else if (lease.holder === me) {
      await this.store.update<unknown>(PRESENCE_KEY, (cur) => nextLease(normalizeLease(cur), me, false, now));
    }
  }

  /**
   * Progress tracking on or off in this window (the user's tri-state choice, resolved by the adapter). Off means
   * off: breathing cycles and sessions still count time, but no XP, no streak day, no level changes.
   */
  setTracking(on: boolean): void {
    this.tracking = on;
  }

  get isTracking(): boolean {
    return this.tracking;
  }

  /** The pattern whose cycles earn XP here (the window's breathing setting). */
  setPattern(pattern: BreathingPattern): void {
    this.pattern = pattern;
  }

  /**
   * Call periodically (e.g. every second) while a session may run: keeps the counting lease alive or takes it
   * over from a vanished holder, and — in the counting window only — credits completed breathing cycles.
   * Resolves with the XP credited here.
   */
  async tick(): Promise<number> {
    if (this.disposed) return 0;
    if (this.uncertain) {
      // The last update failed but may have been committed: never re-issue blindly. Read the truth first (the store
      // re-reads the records); the next tick decides on what is really there.
      await this.store.refresh?.();
      this.uncertain = false;
      return 0;
    }
    return this.guarded(async () => {
      const now = this.clock.now();
      const me = this.store.clientId;
      const session = this.progress().session;
      if (session && pausedTooLong(session, now)) {
        const ended = await this.end(session.id);
        if (ended.ended) this.log('info', `Ended session ${session.id}: paused for more than 4 hours.`);
        return ended.xpAwarded;
      }
      const focused = this.focused;
      const lease = this.lease();
      // Only windows with a session to count compete for the lease, and only when it needs a write (a heartbeat,
      // a takeover): idle windows and non-holders write nothing.
      if (session && nextLease(lease, me, focused, now) !== lease) {
        await this.store.update<unknown>(PRESENCE_KEY, (cur) => nextLease(normalizeLease(cur), me, focused, now));
      }
      if (!session || session.state !== 'running' || !this.isCounter(now)) return 0;
      const credited = await this.creditCycles(session.id, now);
      await this.announceGoal(session.id, now);
      return credited;
    });
  }

  /** Runs an update of the tick; remembers a failure that may have been committed (see `tick`). */
  private async guarded<R>(run: () => Promise<R>): Promise<R> {
    try {
      return await run();
    } catch (error) {
      if (mayHaveApplied(error)) this.uncertain = true;
      throw error;
    }
  }

  /** In the counting window: claims "goal reached" for the session by compare-and-set; fires where the claim won. */
  private async announceGoal(sessionId: string, now: number): Promise<void> {
    const cached = this.progress().session;
    if (!cached || cached.id !== sessionId || cached.goalAnnouncedBy !== undefined || !this.view(cached, now).goalReached) return;
    const me = this.store.clientId;
    let won = false;
    const { after } = await this.commit((p) => {
      won = false;
      if (!p.session || p.session.id !== sessionId || p.session.goalAnnouncedBy !== undefined) return p;
      if (!this.view(p.session, now).goalReached) return p;
      won = true;
      return { ...p, session: { ...p.session, goalAnnouncedBy: me } };
    }, { notify: false });
    if (won && after.session) this.goals.fire(this.view(after.session, now));
  }

  /**
   * Credits the cycles completed in session `sessionId`'s active time that no window has credited yet. Idempotent
   * by construction: it consumes active time, so a second call (here or in another window) finds nothing left;
   * a cycle of a session that has ended, or of another session, earns nothing; time when no window was there to
   * count (see `trimUncountedTime`) earns nothing either.
   */
  async creditCycles(sessionId: string, now: number = this.clock.now()): Promise<number> {
    const cycle = cycleMs(this.pattern);
    const cached = this.progress().session;
    if (!cached || cached.id !== sessionId || cached.state !== 'running') return 0;
    if (cyclePlan(trimUncountedTime(cached, now, cycle), now, cycle).cycles <= 0) return 0;
    const day = localDayOf(now);
    const { before, after } = await this.commit((p) => {
      if (!p.session || p.session.id !== sessionId || p.session.state !== 'running') return p;
      const s = trimUncountedTime(p.session, now, cycle);
      const plan = cyclePlan(s, now, cycle);
      if (plan.cycles <= 0) return p;
      // With tracking off the breaths still count (the session's time is consumed), but earn nothing.
      return {
        ...p,
        xp: this.tracking ? p.xp + plan.cycles : p.xp,
        streak: this.tracking ? markMeditationDay(p.streak, day) : p.streak,
        session: { ...s, cycles: s.cycles + plan.cycles, creditedMs: plan.creditedMs },
      };
    });
    return after.xp - before.xp;
  }

  // ---- the session -------------------------------------------------------------------------------------------

  /**
   * Starts the shared session, or returns the one already running in any window (nothing changes then).
   * `goalMinutes` outside 1..240 whole minutes falls back to the level's default.
   */
  async start(goalMinutes?: number): Promise<StartResult> {
    const now = this.clock.now();
    const existing = this.progress().session;
    if (existing) return { session: this.view(existing, now), started: false };
    const id = this.newId();
    const day = localDayOf(now);
    const { after } = await this.commit((p) => {
      if (p.session) return p;
      const goal = validGoalMinutes(goalMinutes) ?? defaultGoalMinutes(p.xp);
      const session = runningSession(
        { id, goalMinutes: goal, startedAt: now, accumulatedActiveMs: 0, cycles: 0, creditedMs: 0, startedBy: this.store.clientId },
        now,
      );
      return { ...p, streak: this.tracking ? markMeditationDay(p.streak, day) : p.streak, session };
    });
    const session = after.session as SharedSession;
    return { session: this.view(session, now), started: session.id === id };
  }

  async pause(): Promise<SessionView | null> {
    const now = this.clock.now();
    if (this.progress().session?.state !== 'running') return this.session(now);
    const cycle = cycleMs(this.pattern);
    const { after } = await this.commit((p) =>
      p.session?.state === 'running' ? { ...p, session: pauseSession(trimUncountedTime(p.session, now, cycle), now) } : p,
    );
    return after.session ? this.view(after.session, now) : null;
  }

  async resume(): Promise<SessionView | null> {
    const now = this.clock.now();
    if (this.progress().session?.state !== 'paused') return this.session(now);
    const day = localDayOf(now);
    const { after } = await this.commit((p) =>
      p.session?.state === 'paused' ? { ...p, streak: this.tracking ? markMeditationDay(p.streak, day) : p.streak, session: resumeSession(p.session, now) } : p,
    );
    return after.session ? this.view(after.session, now) : null;
  }

  /**
   * Ends the shared session (or only session `sessionId` when given): credits its last cycles, awards the time
   * bonus, records it. However many windows end it at once, one commit finds the session and awards; the others
   * find it gone and award nothing.
   */
  async end(sessionId?: string): Promise<EndResult> {
    const now = this.clock.now();
    const cached = this.progress().session;
    const tracking = this.tracking;
    if (!cached || (sessionId !== undefined && cached.id !== sessionId)) return { ended: false, xpAwarded: 0, tracking };
    const cycle = cycleMs(this.pattern);
    const day = localDayOf(now);
    let summary: SessionSummary | undefined;
    const { before, after } = await this.commit((p) => {
      summary = undefined;
      if (!p.session || (sessionId !== undefined && p.session.id !== sessionId)) return p;
      const s = trimUncountedTime(p.session, now, cycle);
      const activeMs = activeMsAt(s, now);
      // (A paused session ends with the time it had when paused: the pause is not meditation.)
      const extraCycles = cyclePlan(s, now, cycle).cycles;
      const bonusXp = tracking ? endBonus(activeMs, s.goalMinutes, this.minuteMs) : 0;
      summary = { id: s.id, startedAt: s.startedAt, endedAt: now, goalMinutes: s.goalMinutes, activeMs, cycles: s.cycles + extraCycles, bonusXp };
      const todayBase = p.today.day === day ? p.today : { day, activeMs: 0, sessions: 0 };
      return {
        ...p,
        xp: tracking ? p.xp + extraCycles + bonusXp : p.xp,
        streak: tracking && s.state === 'running' && activeMs > 0 ? markMeditationDay(p.streak, day) : p.streak,
        today: { day, activeMs: todayBase.activeMs + activeMs, sessions: todayBase.sessions + 1 },
        totals: { activeMs: p.totals.activeMs + activeMs, sessions: p.totals.sessions + 1 },
        session: null,
        recent: [...p.recent.filter((r) => r.id !== s.id), summary].slice(-RECENT_LIMIT),
      };
    });
    const ended = before.session !== null && after.session === null && summary !== undefined;
    if (!ended || !summary) return { ended: false, xpAwarded: 0, tracking };
    // The XP it earned, as this commit decided it (cycles credited during it count only with tracking on too).
    await this.appendSessions([summary], { xp: tracking ? summary.cycles + summary.bonusXp : 0, tracked: tracking });
    return { ended: true, summary, xpAwarded: after.xp - before.xp, tracking };
  }

  // ---- data: legacy, export, import, clear ----------------------------------------------------------------------

  /**
   * Imports the earlier version's `breathMaster.meditationStats` (pass the raw globalState value) exactly once per
   * user: the flag lives in the same record, so of several windows importing at once only the first commit adds
   * it. Resolves true in the window that imported. Nothing recognisable: nothing happens.
   */
  async importLegacy(raw: unknown): Promise<boolean> {
    const today = localDayOf(this.clock.now());
    if (this.progress().legacyImported) {
      // Imported by this version, which was stopped before the grant was in the log: granted now (once, by its id).
      const e = this.earnings();
      const legacy = e.migrated && e.base?.legacyImported === false && !e.legacyGranted ? parseLegacyStats(raw) : undefined;
      if (legacy) await this.sessionLog.append(LEGACY_GRANT_ID, legacyGrant(legacy, today));
      return false;
    }
    const legacy = parseLegacyStats(raw);
    if (!legacy) return false;
    // In the log first (one grant id, session ids: windows importing at once add them once), then the record: the
    // record's recent list never holds a legacy session the log does not (it would count as one ended just now).
    // The grant holds their XP and time; the sessions themselves join the history without counting again.
    await this.appendSessions(legacy.sessions, { from: 'legacy' });
    await this.sessionLog.append(LEGACY_GRANT_ID, legacyGrant(legacy, today));
    const { before, after } = await this.commit((p) => (p.legacyImported ? p : mergeLegacy(p, legacy, today)), { notify: false });
    const imported = !before.legacyImported && after.legacyImported;
    if (imported) {
      this.log('info', `Imported earlier progress: ${legacy.totalXp} XP, streak ${legacy.currentStreak}, ${legacy.sessions.length} sessions.`);
    }
    return imported;
  }

  /** The progress as shown (this machine's, read off the log, and the other machines'), the history, the recent sessions. */
  exportData(now: number = this.clock.now()): ExportedData {
    const mine = this.localProgress(now);
    const shown = this.snapshot(now);
    return buildExport({ ...mine, xp: shown.xp, totals: shown.totals, streak: { current: shown.streak.current, longest: shown.streak.longest, lastDay: shown.streak.lastDay } }, this.history(), now);
  }

  /** Validates and merges an export (JSON text or value); see `mergeImport` for the rules. Never throws on bad input. */
  async importData(input: unknown): Promise<ImportResult> {
    const now = this.clock.now();
    const parsed = parseImport(input, localDayOf(now), now);
    if (!parsed.ok) return parsed;
    // Counted against the history before the import: another window may catch some of them up (from `recent`) first.
    const known = this.logView().sessionIds;
    // With other machines' progress counted here (Settings Sync), "the higher wins" holds for the combined numbers:
    // an export taken on a synced machine already holds theirs, which must not be added to this machine's part again.
    const others = this.otherMachines();
    const imported = parsed.data.progress;
    const data = others.machines === 0 ? parsed.data : {
      ...parsed.data,
      progress: {
        ...imported,
        xp: Math.max(0, imported.xp - others.xp),
        totals: { activeMs: Math.max(0, imported.totals.activeMs - others.totals.activeMs), sessions: Math.max(0, imported.totals.sessions - others.totals.sessions) },
      },
    };
    const xpBefore = this.snapshot(now).xp;
    // "The higher wins": a floor in the log where it stands; the sessions join the history without counting again.
    // In the log first, then the record (whose recent list must not hold a session the log lacks: see localProgress).
    const floor: Grant = { kind: 'grant', mode: 'floor', xp: data.progress.xp, totals: data.progress.totals, today: { day: null, activeMs: 0, sessions: 0 }, streak: data.progress.streak, covers: [], through: null, running: null };
    await this.sessionLog.append(`breathMaster:import:${this.newId()}`, floor);
    await this.appendSessions(parsed.data.sessions, { from: 'import' });
    await this.commit((p) => mergeImport(p, data), { notify: false });
    const sessionsAdded = new Set(parsed.data.sessions.filter((s) => !known.has(s.id)).map((s) => s.id)).size;
    return { ok: true, xpBefore, xpAfter: this.snapshot(this.clock.now()).xp, sessionsAdded, skippedSessions: parsed.skippedSessions };
  }

  /**
   * Resets progress, the session and history for every window (the legacy import stays done). The history is
   * cleared by a clear event in the session log: what counts is what comes after the last one, in the log's order,
   * which is the same for every window. The earlier history record is emptied too, as before, for windows still
   * running the earlier version (it is never deleted).
   */
  async clear(): Promise<void> {
    await this.commit(() => ({ ...EMPTY_PROGRESS, legacyImported: true }), { notify: false });
    await this.sessionLog.append(clearEventId(this.newId()), { kind: 'clear', at: this.clock.now() });
    if (this.store.get<unknown>(HISTORY_KEY).version > 0) await this.store.update<unknown>(HISTORY_KEY, () => EMPTY_HISTORY);
  }

  /**
   * Copies the earlier history record (`breathMaster.history`, rewritten by the earlier version for every ended
   * session) into the session log, once per user: its sessions as session events (their ids as event ids), its
   * `older` summary as one event, then a marker event — appended only once the rest is durable, so a window killed
   * half-way migrates again at its next start. Windows migrating at once append the same ids, which count once.
   * The record itself is left as it is (a window still running the earlier version reads it). The constructor
   * starts it; resolves with the number of events copied (0 when already done). Sessions that ended before a clear
   * in the log are not copied again.
   */
  migrateHistory(): Promise<number> {
    this.migration ??= this.migrate();
    return this.migration;
  }

  /**
   * Copies the progress record's numbers into the session log as one grant (earnings.ts), once per user: from then
   * on XP, time, sessions and days are read off the log, each counted once by what earned it. Windows migrating at
   * once append the same id, which counts once (the first in the log's order; each grant is whole in itself). The
   * record stays as it is (windows of the earlier version keep using it; their sessions reach the log by catch-up).
   */
  migrateProgress(): Promise<boolean> {
    this.progressMigration ??= (async () => {
      if (this.earnings().migrated) return false;
      const p = this.progress();
      const grant = baseGrant(p);
      await this.sessionLog.append(BASE_GRANT_ID, { ...grant, through: grant.through ?? this.clock.now() });
      this.log('info', `Copied progress (${p.xp} XP, ${p.totals.sessions} sessions, record version ${this.store.get(PROGRESS_KEY).version}) into ${SESSIONS_KEY}.`);
      return true;
    })();
    return this.progressMigration;
  }

  private async migrate(): Promise<number> {
    const view = this.logView();
    if (view.migrated) return 0;
    const old = this.store.get<unknown>(HISTORY_KEY);
    const writes: Promise<void>[] = [];
    if (old.version > 0) {
      const h = normalizeHistory(old.payload);
      const keep = h.sessions.filter((s) => !view.sessionIds.has(s.id) && (view.clearedAt === null || s.endedAt > view.clearedAt));
      // Appended in this turn: `history()` shows them at once, with no empty moment before the writes are durable.
      for (const s of keep) writes.push(this.sessionLog.append(sessionEventId(s.id, view.epoch), sessionEvent(s)));
      if (h.older.sessions > 0 && view.clearedAt === null) writes.push(this.sessionLog.append(OLDER_EVENT_ID, { kind: 'older', older: h.older }));
    }
    await Promise.all(writes);
    await this.sessionLog.append(MIGRATED_EVENT_ID, { kind: 'migrated', version: old.version });
    if (writes.length > 0) this.log('info', `Copied the session history (${writes.length} events, record version ${old.version}) into ${SESSIONS_KEY}.`);
    return writes.length;
  }

  /**
   * Adds sessions ended elsewhere (another machine's, through Settings Sync) to the history: by session id, so a
   * session already there counts once; one that ended before the last clear is not brought back.
   */
  async addSessions(sessions: readonly SessionSummary[], from: string): Promise<number> {
    const clearedAt = this.logView().clearedAt;
    // Tagged with where they came from: shown in the history, not counted in this machine's XP (they are in theirs).
    return this.appendSessions(clearedAt === null ? sessions : sessions.filter((s) => s.endedAt > clearedAt), { from });
  }

  /** Releases the counting lease (so another window takes over at once) and stops listening. */
  async release(): Promise<void> {
    const me = this.store.clientId;
    if (this.lease().holder !== me) return;
    await this.store.update<unknown>(PRESENCE_KEY, (cur) => releaseLease(normalizeLease(cur), me));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.subscription.dispose();
    this.logSubscription.dispose();
    this.snapshots.dispose();
    this.notifications.dispose();
    this.goals.dispose();
    this.discards.dispose();
  }

  // ---- internals ---------------------------------------------------------------------------------------------

  /** The session as shown: time no window was there for is left out at once, before the next commit trims it. */
  private view(s: SharedSession, now: number): SessionView {
    return viewOf(trimUncountedTime(s, now, cycleMs(this.pattern)), now, this.minuteMs);
  }

  private lease(): CounterLease {
    return normalizeLease(this.store.get<unknown>(PRESENCE_KEY).payload);
  }

  /**
   * One compare-and-set of the progress record. `before` is the value the committed run of the updater saw (the
   * store re-runs it only after a failed commit, so the last run is the one that committed), which is what makes
   * "this window caused the transition" exact.
   */
  private async commit(
    mutate: (p: ProgressRecord) => ProgressRecord,
    { notify = true }: { notify?: boolean } = {},
  ): Promise<{ before: ProgressRecord; after: ProgressRecord }> {
    let before = EMPTY_PROGRESS;
    let after = EMPTY_PROGRESS;
    // Other machines' XP is shown beside this machine's: a level is crossed when their sum crosses it. (This
    // machine's side is the record's XP, which this commit moves: the log follows a moment later.)
    const shownBeyond = notify ? this.otherMachines().xp : 0;
    await this.store.update<unknown>(PROGRESS_KEY, (cur) => {
      before = normalizeProgress(cur);
      after = mutate(before);
      return after;
    });
    // `before` is what other windows committed, possibly not yet heard through the change feed (a clear this commit
    // found by conflict); our own change (a clear, an end) is never news to this window: only remember what it left.
    this.noticeSession(before, true);
    this.noticeSession(after, false);
    this.lastRecord = after;
    if (notify) this.announceTransitions(before, after, shownBeyond);
    return { before, after };
  }

  /**
   * A window of the earlier version cleared the data: it empties the progress record but knows no log, so the
   * earnings read off the log would still show what was cleared. Whoever hears it appends the clear that version
   * could not (one id per record version: windows hearing it at once add one clear).
   */
  private noticeOlderClear(version: number): void {
    const before = this.lastRecord;
    const now = this.progress();
    this.lastRecord = now;
    const empty = (p: ProgressRecord) => p.xp === 0 && p.session === null && p.recent.length === 0 && p.totals.sessions === 0 && p.streak.lastDay === null;
    if (!empty(now) || empty(before) || !this.earnings().migrated) return;
    this.log('info', `The progress record was cleared (version ${version}) by a window that keeps no log: clearing the log too.`);
    this.sessionLog
      .append(clearEventId(`record-${version}`), { kind: 'clear', at: this.clock.now() })
      .catch((error: unknown) => this.log('warn', `recording a clear failed: ${String(error)}`));
  }

  /** Remembers the session of `p`; `remote`: fires `onDidDiscardSession` if the one known before vanished unrecorded. */
  private noticeSession(p: ProgressRecord, remote: boolean): void {
    const known = this.knownSessionId;
    this.knownSessionId = p.session?.id ?? null;
    if (!remote || known === null || known === this.knownSessionId || p.recent.some((r) => r.id === known)) return;
    this.log('info', `Session ${known} vanished without being recorded: the data was cleared in another window.`);
    this.discards.fire({ sessionId: known });
  }

  private announceTransitions(before: ProgressRecord, after: ProgressRecord, shownBeyond: number): void {
    const from = levelForXp(Math.max(0, before.xp + shownBeyond));
    const to = levelForXp(Math.max(0, after.xp + shownBeyond));
    if (to.level > from.level) this.notifications.fire({ kind: 'levelUp', level: to.level, title: to.title, xp: Math.max(0, after.xp + shownBeyond) });
    if (after.streak.lastDay !== before.streak.lastDay && after.streak.current > before.streak.current && STREAK_MILESTONES.includes(after.streak.current)) {
      this.notifications.fire({ kind: 'streak', days: after.streak.current });
    }
  }

  private fireSnapshot(): void {
    if (this.disposed) return;
    this.snapshots.fire(this.snapshot());
  }

  /** This machine's earnings read off the session log (earnings.ts), cached with the log view. */
  private earnings(): Earnings {
    this.logView();
    return (this.logCache as { earnings: Earnings }).earnings;
  }

  private logView(): SessionLogView {
    const entries = this.sessionLog.entries();
    if (this.logCache?.entries !== entries) this.logCache = { entries, view: readSessionLog(entries), earnings: readEarnings(entries) };
    return this.logCache.view;
  }

  /**
   * Appends the sessions the history lacks (by session id, after the last clear), one event each; resolves once
   * they are durable, with how many were new. An id already in the log (another window appended it meanwhile)
   * counts once all the same.
   */
  private async appendSessions(add: readonly SessionSummary[], extra: Record<string, unknown> = {}): Promise<number> {
    if (add.length === 0) return 0;
    const view = this.logView();
    const seen = new Set(view.sessionIds);
    const writes: Promise<void>[] = [];
    for (const s of add) {
      if (seen.has(s.id)) continue;
      seen.add(s.id);
      writes.push(this.sessionLog.append(sessionEventId(s.id, view.epoch), { ...sessionEvent(s), ...extra }));
    }
    await Promise.all(writes);
    return writes.length;
  }

  /**
   * A window that ended a session and closed before appending it to the history leaves it only in `recent`; any
   * window that notices adds it (the same event id: once). So does a session ended by a window still running the
   * earlier version (it writes only the earlier history record). Not "missing": sessions that ended before the last
   * clear (a window that read the clear before the cleared progress record must not bring them back), and, in a full
   * history, sessions that ended before its oldest one (the migrated record's `older` may count them already: adding
   * one would count it twice).
   */
  private catchUpHistory(): void {
    const view = this.logView();
    const sessions = view.history.sessions;
    const oldest = sessions.length >= HISTORY_LIMIT ? (sessions[0]?.endedAt ?? -Infinity) : -Infinity;
    const after = Math.max(oldest, view.clearedAt ?? -Infinity);
    const missing = this.progress().recent.filter((s) => !view.sessionIds.has(s.id) && s.endedAt >= after && (view.clearedAt === null || s.endedAt > view.clearedAt));
    if (missing.length === 0) return;
    this.appendSessions(missing).catch((error: unknown) => this.log('warn', `history catch-up failed: ${String(error)}`));
  }
}

/** The earlier extension's stats as a grant (what `mergeLegacy` adds to the progress record). */
function legacyGrant(legacy: NonNullable<ReturnType<typeof parseLegacyStats>>, today: LocalDay): Grant {
  return {
    kind: 'grant',
    mode: 'add',
    xp: legacy.totalXp,
    totals: { activeMs: legacy.totalActiveMs, sessions: Math.max(legacy.sessions.length, legacy.sessionsToday) },
    today: legacy.lastDay === today ? { day: today, activeMs: legacy.todayActiveMs, sessions: legacy.sessionsToday } : { day: null, activeMs: 0, sessions: 0 },
    streak: { current: legacy.lastDay ? legacy.currentStreak : 0, longest: Math.max(legacy.longestStreak, legacy.currentStreak), lastDay: legacy.lastDay },
    covers: legacy.sessions.map((s) => s.id),
    through: null,
    running: null,
  };
}

/** Both lists of ended sessions as one, by id, newest last, at most RECENT_LIMIT. */
function mergeRecent(a: readonly SessionSummary[], b: readonly SessionSummary[]): SessionSummary[] {
  const byId = new Map<string, SessionSummary>();
  for (const s of [...a, ...b]) if (!byId.has(s.id)) byId.set(s.id, s);
  return [...byId.values()].sort((x, y) => x.endedAt - y.endedAt || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)).slice(-RECENT_LIMIT);
}

function viewOf(s: SharedSession, now: number, minuteMs: number): SessionView {
  const activeMs = activeMsAt(s, now);
  const goalMs = s.goalMinutes * minuteMs;
  return {
    id: s.id,
    state: s.state,
    goalMinutes: s.goalMinutes,
    startedAt: s.startedAt,
    activeMs,
    remainingMs: Math.max(0, goalMs - activeMs),
    progress: Math.min(1, activeMs / goalMs),
    goalReached: activeMs >= goalMs,
    goalAnnounced: s.goalAnnouncedBy !== undefined,
    cycles: s.cycles,
  };
}
