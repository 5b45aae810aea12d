import { isLocalDay, localDayOf, type LocalDay } from './calendar';
import { count, isObject, normalizeStreak, normalizeSummary, type ProgressRecord, type SessionSummary, type Streak } from './progressRecord';
import type { RecordLogEntry } from './recordStore';
import { streakRunDays } from './streak';

/**
 * This machine's XP, time, sessions and meditated days, read off the session log (sessionLog.ts) — a per-writer log,
 * so windows append without conflicting, and each event id counts once however often or by however many windows
 * it is appended. What earned them is the key:
 * - an ended session's event (its id is the session id): XP = its cycles and end bonus, its time, one session, its
 *   days. Two windows ending it at once, a retried append, a catch-up from the progress record: one event.
 * - a **grant**: progress that came whole — the progress record as it was when this version first ran (the
 *   migration: one event however many windows migrate), the earlier extension's stats (legacy import), an Import.
 *   It names the sessions its numbers already hold (`covers`, and every session that ended before `through`), so
 *   those never count twice; an Import's numbers are a floor ("the higher wins"), the others add.
 * Only events after the last clear count. The running session's cycles (credited by compare-and-set in the
 * progress record, where the session lives) count until its event is in the log.
 */
export const BASE_GRANT_ID = 'breathMaster:progress-base';
export const LEGACY_GRANT_ID = 'breathMaster:legacy-grant';

export interface Grant {
  readonly kind: 'grant';
  /** 'add': these numbers are added (the migration, legacy stats); 'floor': the totals become at least these (Import). */
  readonly mode: 'add' | 'floor';
  readonly xp: number;
  readonly totals: { readonly activeMs: number; readonly sessions: number };
  readonly today: { readonly day: LocalDay | null; readonly activeMs: number; readonly sessions: number };
  readonly streak: Streak;
  /** Sessions whose XP and time these numbers hold already. */
  readonly covers: readonly string[];
  /** …and every session that ended before this (ms; null: none). */
  readonly through: number | null;
  /** The session running when the grant was made, with the cycles its XP holds already. */
  readonly running: { readonly id: string; readonly cycles: number } | null;
  /** The progress record had imported the earlier extension's stats when this grant was made (migration only). */
  readonly legacyImported?: boolean;
}

/** The migration grant: the progress record as this version first finds it. */
export function baseGrant(p: ProgressRecord): Grant {
  const recent = p.recent;
  return {
    kind: 'grant',
    mode: 'add',
    xp: p.xp,
    totals: p.totals,
    today: p.today,
    streak: p.streak,
    covers: recent.map((s) => s.id),
    // `recent` is the newest sessions the record holds: a full list leaves out older ones, which ended before it.
    through: recent.length > 0 ? (recent[0] as SessionSummary).endedAt : null,
    running: p.session ? { id: p.session.id, cycles: p.session.cycles } : null,
    legacyImported: p.legacyImported,
  };
}

export interface Earnings {
  /** A grant from the migration exists (anywhere in the log): until then the progress record's numbers are shown. */
  readonly migrated: boolean;
  readonly base: Grant | null;
  readonly legacyGranted: boolean;
  readonly xp: number;
  readonly totals: { readonly activeMs: number; readonly sessions: number };
  /** Time and sessions per local day of their end. */
  readonly byDay: ReadonlyMap<LocalDay, { readonly activeMs: number; readonly sessions: number }>;
  readonly days: ReadonlySet<LocalDay>;
  readonly longestStreak: number;
  /** Ids of the sessions counted (and covered): a running session found here is already counted. */
  readonly counted: ReadonlySet<string>;
  /** Cycles of sessions whose XP a grant holds in part (the session running then). */
  readonly offsets: ReadonlyMap<string, number>;
  /** Sessions that ended before this are held by the migration grant (-Infinity: none). */
  readonly through: number;
}


export function parseGrant(v: unknown): Grant | undefined {
  if (!isObject(v) || v.kind !== 'grant') return undefined;
  const totals = isObject(v.totals) ? v.totals : {};
  const today = isObject(v.today) ? v.today : {};
  const running = isObject(v.running) && typeof v.running.id === 'string' ? { id: v.running.id, cycles: count(v.running.cycles) } : null;
  return {
    kind: 'grant',
    mode: v.mode === 'floor' ? 'floor' : 'add',
    xp: count(v.xp),
    totals: { activeMs: count(totals.activeMs), sessions: count(totals.sessions) },
    today: { day: isLocalDay(today.day) ? today.day : null, activeMs: count(today.activeMs), sessions: count(today.sessions) },
    streak: normalizeStreak(v.streak),
    covers: Array.isArray(v.covers) ? v.covers.filter((id): id is string => typeof id === 'string').slice(0, 20_000) : [],
    through: typeof v.through === 'number' && Number.isFinite(v.through) ? v.through : null,
    running,
    ...(typeof v.legacyImported === 'boolean' ? { legacyImported: v.legacyImported } : {}),
  };
}

/** The XP an ended session's event stands for: what its window decided at the end, else its cycles and bonus. */
export function sessionEventXp(data: Record<string, unknown>, s: SessionSummary): number {
  return typeof data.xp === 'number' ? count(data.xp) : s.cycles + s.bonusXp;
}

/** Reads the earnings off the log's entries (in the log's order, the same for every window). O(entries). */
export function readEarnings(entries: readonly RecordLogEntry[]): Earnings {
  let start = 0;
  let migrated = false;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as RecordLogEntry;
    if (!isObject(e.data)) continue;
    if (e.data.kind === 'clear') start = i + 1;
    if (e.id === BASE_GRANT_ID) migrated = true;
  }
  // First what the grants hold (whatever their place in the log: a session appended before the grant that covers
  // it must not count beside it), then everything in the log's order (a floor applies where it stands).
  const grants = new Map<number, Grant>();
  let baseFound: Grant | undefined;
  const covered = new Set<string>();
  const offsets = new Map<string, number>();
  let through = -Infinity;
  const seen = new Set<string>();
  for (let i = start; i < entries.length; i++) {
    const e = entries[i] as RecordLogEntry;
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    const g = parseGrant(e.data);
    if (g === undefined) continue;
    grants.set(i, g);
    if (e.id === BASE_GRANT_ID) baseFound = g;
    for (const id of g.covers) covered.add(id);
    if (g.through !== null) through = Math.max(through, g.through);
    if (g.running) offsets.set(g.running.id, Math.max(offsets.get(g.running.id) ?? 0, g.running.cycles));
  }
  let xp = 0;
  let activeMs = 0;
  let sessions = 0;
  let longestStreak = 0;
  let base: Grant | null = null;
  let legacyGranted = false;
  const byDay = new Map<LocalDay, { activeMs: number; sessions: number }>();
  const days = new Set<LocalDay>();
  const counted = new Set<string>(covered);
  const addDay = (day: LocalDay, ms: number, n: number) => {
    const t = byDay.get(day) ?? { activeMs: 0, sessions: 0 };
    byDay.set(day, { activeMs: t.activeMs + ms, sessions: t.sessions + n });
  };
  seen.clear();
  for (let i = start; i < entries.length; i++) {
    const e = entries[i] as RecordLogEntry;
    const data = e.data;
    if (!isObject(data) || seen.has(e.id)) continue;
    seen.add(e.id);
    const g = grants.get(i);
    // The migration copied a record that held the earlier extension's stats already: a legacy grant beside it (a
    // window that imported them at the same moment) would count them twice.
    if (g !== undefined && e.id === LEGACY_GRANT_ID && baseFound?.legacyImported === true) continue;
    if (g !== undefined) {
      if (e.id === BASE_GRANT_ID) base = g;
      if (e.id === LEGACY_GRANT_ID) legacyGranted = true;
      if (g.mode === 'add') {
        xp += g.xp;
        activeMs += g.totals.activeMs;
        sessions += g.totals.sessions;
        if (g.today.day !== null) addDay(g.today.day, g.today.activeMs, g.today.sessions);
      } else {
        xp = Math.max(xp, g.xp);
        activeMs = Math.max(activeMs, g.totals.activeMs);
        sessions = Math.max(sessions, g.totals.sessions);
      }
      for (const d of streakRunDays(g.streak, 4000)) days.add(d);
      longestStreak = Math.max(longestStreak, g.streak.longest);
    } else if (data.kind === 'session' && typeof data.from !== 'string') {
      const s = normalizeSummary(data.session);
      if (s === undefined || counted.has(s.id) || s.endedAt < through) continue;
      counted.add(s.id);
      const earned = sessionEventXp(data, s);
      xp += Math.max(0, earned - (offsets.get(s.id) ?? 0));
      activeMs += s.activeMs;
      sessions += 1;
      addDay(localDayOf(s.endedAt), s.activeMs, 1);
      if (data.tracked !== false && earned > 0) {
        days.add(localDayOf(s.startedAt));
        days.add(localDayOf(s.endedAt));
      }
    }
  }
  const cap = (n: number) => Math.min(n, Number.MAX_SAFE_INTEGER);
  return { migrated, base, legacyGranted, xp: cap(xp), totals: { activeMs: cap(activeMs), sessions: cap(sessions) }, byDay, days, longestStreak, counted, offsets, through };
}
