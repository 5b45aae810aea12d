import { isLocalDay, type LocalDay } from './calendar';
import { pausedSession, runningSession, type SharedSession } from './session';

/** Store key of the progress record: XP, streak, today, the shared session, recent sessions. */
export const PROGRESS_KEY = 'breathMaster.progress';
/** Store key of the bounded session history (appended idempotently by session id). */
export const HISTORY_KEY = 'breathMaster.history';

export interface Streak {
  readonly current: number;
  readonly longest: number;
  /** The last local day with meditation, or null before the first. */
  readonly lastDay: LocalDay | null;
}

export interface DayTotals {
  readonly day: LocalDay | null;
  readonly activeMs: number;
  readonly sessions: number;
}

export interface SessionSummary {
  readonly id: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly goalMinutes: number;
  readonly activeMs: number;
  readonly cycles: number;
  readonly bonusXp: number;
}

/**
 * The XP a session is credited with wherever it is shown (Show Progress, the end-of-session message): the cycles
 * credited during it (each as it completed, so the status bar already counted them) plus the end bonus.
 */
export function sessionXp(s: Pick<SessionSummary, 'cycles' | 'bonusXp'>): number {
  return s.cycles + s.bonusXp;
}

/**
 * One record on purpose: XP and the session live together so ending a session and awarding its XP is a single
 * compare-and-set — an updater that finds the session already ended awards nothing.
 */
export interface ProgressRecord {
  readonly schema: 1;
  readonly xp: number;
  readonly streak: Streak;
  readonly today: DayTotals;
  readonly totals: { readonly activeMs: number; readonly sessions: number };
  readonly session: SharedSession | null;
  /** The last few ended sessions (newest last): what Show Progress lists, and the source the history catches up from. */
  readonly recent: readonly SessionSummary[];
  /** The legacy `breathMaster.meditationStats` was imported (or found absent): never import it again. */
  readonly legacyImported: boolean;
}

export const RECENT_LIMIT = 20;

export const EMPTY_PROGRESS: ProgressRecord = {
  schema: 1,
  xp: 0,
  streak: { current: 0, longest: 0, lastDay: null },
  today: { day: null, activeMs: 0, sessions: 0 },
  totals: { activeMs: 0, sessions: 0 },
  session: null,
  recent: [],
  legacyImported: false,
};

export interface HistoryRecord {
  readonly schema: 1;
  /** Newest last, at most HISTORY_LIMIT. */
  readonly sessions: readonly SessionSummary[];
  /** What was dropped off the front: counted, not forgotten. */
  readonly older: { readonly sessions: number; readonly activeMs: number; readonly firstStartedAt: number | null };
}

export const HISTORY_LIMIT = 500;
export const EMPTY_HISTORY: HistoryRecord = { schema: 1, sessions: [], older: { sessions: 0, activeMs: 0, firstStartedAt: null } };

type Loose = Record<string, unknown>;

/** A plain object (not null, not an array): what every reader of untrusted stored data checks first. */
export function isObject(v: unknown): v is Loose {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A count that cannot be negative, fractional, NaN or absurd. */
export function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.min(Math.floor(v), Number.MAX_SAFE_INTEGER) : 0;
}

function time(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function normalizeSession(v: unknown): SharedSession | null {
  if (!isObject(v) || typeof v.id !== 'string' || v.id === '') return null;
  const startedAt = time(v.startedAt);
  const goalMinutes = count(v.goalMinutes);
  if (startedAt === undefined || goalMinutes < 1) return null;
  const state = v.state === 'paused' ? 'paused' : 'running';
  const runningSince = time(v.runningSince);
  const pausedAt = time(v.pausedAt);
  const fields = {
    id: v.id,
    goalMinutes,
    startedAt,
    accumulatedActiveMs: count(v.accumulatedActiveMs),
    cycles: count(v.cycles),
    creditedMs: count(v.creditedMs),
    startedBy: typeof v.startedBy === 'string' ? v.startedBy : '',
    ...(typeof v.goalAnnouncedBy === 'string' ? { goalAnnouncedBy: v.goalAnnouncedBy } : {}),
  };
  return state === 'running' ? runningSession(fields, runningSince ?? startedAt) : pausedSession(fields, pausedAt ?? startedAt);
}

export function normalizeSummary(v: unknown): SessionSummary | undefined {
  if (!isObject(v) || typeof v.id !== 'string' || v.id === '' || v.id.length > 200) return undefined;
  const startedAt = time(v.startedAt);
  const endedAt = time(v.endedAt);
  if (startedAt === undefined || endedAt === undefined) return undefined;
  return {
    id: v.id,
    startedAt,
    endedAt,
    goalMinutes: count(v.goalMinutes),
    activeMs: count(v.activeMs),
    cycles: count(v.cycles),
    bonusXp: count(v.bonusXp),
  };
}

export function normalizeStreak(v: unknown): Streak {
  if (!isObject(v)) return EMPTY_PROGRESS.streak;
  const current = count(v.current);
  const lastDay = isLocalDay(v.lastDay) ? v.lastDay : null;
  return { current: lastDay ? current : 0, longest: Math.max(count(v.longest), current), lastDay };
}

/**
 * Whatever the store holds (a record from this version, an odd hand-edited one, nothing) as a well-formed
 * ProgressRecord. Updaters start from this, so bad data never stops a window from working.
 */
export function normalizeProgress(v: unknown): ProgressRecord {
  if (!isObject(v)) return EMPTY_PROGRESS;
  const today = isObject(v.today) ? v.today : {};
  const totals = isObject(v.totals) ? v.totals : {};
  const recent = Array.isArray(v.recent) ? v.recent.map(normalizeSummary).filter((s): s is SessionSummary => s !== undefined) : [];
  return {
    schema: 1,
    xp: count(v.xp),
    streak: normalizeStreak(v.streak),
    today: { day: isLocalDay(today.day) ? today.day : null, activeMs: count(today.activeMs), sessions: count(today.sessions) },
    totals: { activeMs: count(totals.activeMs), sessions: count(totals.sessions) },
    session: normalizeSession(v.session),
    recent: recent.slice(-RECENT_LIMIT),
    legacyImported: v.legacyImported === true,
  };
}

export function normalizeHistory(v: unknown): HistoryRecord {
  if (!isObject(v)) return EMPTY_HISTORY;
  const sessions = Array.isArray(v.sessions) ? v.sessions.map(normalizeSummary).filter((s): s is SessionSummary => s !== undefined) : [];
  const older = isObject(v.older) ? v.older : {};
  const first = time(older.firstStartedAt);
  return boundHistory({ schema: 1, sessions, older: { sessions: count(older.sessions), activeMs: count(older.activeMs), firstStartedAt: first ?? null } });
}

/** Adds sessions not yet present (by id), keeps time order, and summarises what falls off beyond HISTORY_LIMIT. */
export function appendHistory(history: HistoryRecord, add: readonly SessionSummary[]): HistoryRecord {
  const ids = new Set(history.sessions.map((s) => s.id));
  const fresh = add.filter((s) => {
    if (ids.has(s.id)) return false;
    ids.add(s.id);
    return true;
  });
  if (fresh.length === 0) return history;
  return boundHistory({ ...history, sessions: [...history.sessions, ...fresh] });
}

function boundHistory(history: HistoryRecord): HistoryRecord {
  const sorted = [...history.sessions].sort((a, b) => a.endedAt - b.endedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const dropped = sorted.slice(0, Math.max(0, sorted.length - HISTORY_LIMIT));
  if (dropped.length === 0) return { ...history, sessions: sorted };
  const firstDropped = Math.min(...dropped.map((s) => s.startedAt));
  return {
    schema: 1,
    sessions: sorted.slice(dropped.length),
    older: {
      sessions: history.older.sessions + dropped.length,
      activeMs: history.older.activeMs + dropped.reduce((sum, s) => sum + s.activeMs, 0),
      firstStartedAt: history.older.firstStartedAt === null ? firstDropped : Math.min(history.older.firstStartedAt, firstDropped),
    },
  };
}
