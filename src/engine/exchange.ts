import {
  count,
  normalizeStreak,
  normalizeSummary,
  RECENT_LIMIT,
  type HistoryRecord,
  type ProgressRecord,
  type SessionSummary,
  type Streak,
} from './progressRecord';
import { isFarFuture, mergeStreaks } from './streak';
import type { LocalDay } from './calendar';

/** Export file format version; bump on incompatible changes (import rejects versions it does not know). */
export const EXPORT_SCHEMA_VERSION = 1;
/**
 * Limits of a believable export. Ours hold at most 520 sessions (~100 KB); the limits leave room for data merged
 * from several machines and refuse what no person produces (a 15 MB file, 1e300 XP): the import's max-merge would
 * otherwise make such values permanent.
 */
export const MAX_IMPORT_CHARS = 2_000_000;
export const MAX_IMPORT_SESSIONS = 10_000;
/** 1 XP per breathing cycle: a million is decades of daily meditation. */
export const MAX_IMPORT_XP = 1_000_000;
/** 100 years of meditated time in ms, 100 years of days. */
const MAX_IMPORT_ACTIVE_MS = 100 * 365 * 24 * 3_600_000;
const MAX_IMPORT_DAYS = 36_500;
/**
 * Dates an import may hold. Ahead of this machine's clock by at most a day: another machine's clock may be off (a
 * wrong time zone setting shifts it by hours), but a session dated 2100 would top Recent sessions and History in
 * every window for ever. Nothing before 2015 (VS Code did not exist): a date like 1970 is a zero, not a session.
 */
export const MAX_IMPORT_CLOCK_SKEW_MS = 24 * 3_600_000;
export const EARLIEST_IMPORT_TIME = Date.UTC(2015, 0, 1);

export interface ExportedData {
  readonly schemaVersion: typeof EXPORT_SCHEMA_VERSION;
  readonly app: 'breath-master';
  readonly exportedAt: string;
  readonly progress: {
    readonly xp: number;
    readonly streak: Streak;
    readonly totals: { readonly activeMs: number; readonly sessions: number };
  };
  /** Newest last. */
  readonly sessions: readonly SessionSummary[];
  /** Sessions summarised out of the history (beyond its limit). */
  readonly olderSessions: HistoryRecord['older'];
}

export function buildExport(progress: ProgressRecord, history: HistoryRecord, now: number): ExportedData {
  const byId = new Map<string, SessionSummary>();
  for (const s of [...history.sessions, ...progress.recent]) byId.set(s.id, s);
  return {
    schemaVersion: EXPORT_SCHEMA_VERSION,
    app: 'breath-master',
    exportedAt: new Date(now).toISOString(),
    progress: { xp: progress.xp, streak: progress.streak, totals: progress.totals },
    sessions: [...byId.values()].sort((a, b) => a.endedAt - b.endedAt),
    olderSessions: history.older,
  };
}

/**
 * A refusal: `error` for people (English), and the same as a `{0}` template with its arguments, so the adapter can
 * translate it (`vscode.l10n.t(template, ...args)`) — the engine has no `vscode`.
 */
export interface ImportRefusal {
  readonly ok: false;
  readonly error: string;
  readonly template: string;
  readonly args: readonly (string | number)[];
}

export type ImportParse = { ok: true; data: ExportedData; skippedSessions: number } | ImportRefusal;

/** Import refusal templates (each is a message of the translation bundle). */
export const IMPORT_ERRORS = {
  tooLarge: 'The file is too large to be a Breath Master export.',
  notJson: 'The file is not valid JSON.',
  noExport: 'The file does not contain a Breath Master export.',
  notOurs: 'The file is not a Breath Master export (its "app" is not "breath-master").',
  schema: 'Unsupported export schemaVersion {0} (this version reads {1}).',
  noProgress: 'The export has no "progress" object.',
  badXp: 'The export\'s XP is not a non-negative number.',
  hugeXp: 'The export\'s XP ({0}) is more than anyone can earn (at most {1}).',
  sessionsNotList: 'The export\'s "sessions" is not a list.',
  tooManySessions: 'The export lists too many sessions.',
  impossible: 'The export holds values no one can reach (times, counts or streaks far too large).',
  badDate: 'The export holds a date that cannot be right ({0}): in the future or long before VS Code existed.',
} as const;

function refuse(template: string, ...args: (string | number)[]): ImportRefusal {
  const error = template.replace(/\{(\d+)\}/g, (whole, i: string) => String(args[Number(i)] ?? whole));
  return { ok: false, error, template, args };
}

/** The first date of `times` outside what an import may hold at `now`, as `YYYY-MM-DD` (UTC), if any. */
function implausibleDate(times: readonly number[], now: number): string | undefined {
  const bad = times.find((t) => t > now + MAX_IMPORT_CLOCK_SKEW_MS || t < EARLIEST_IMPORT_TIME);
  if (bad === undefined) return undefined;
  const d = new Date(bad);
  return Number.isFinite(d.getTime()) ? d.toISOString().slice(0, 10) : String(bad);
}

/**
 * Validates an export (JSON text or parsed value). Never throws; says what is wrong for people. `today` (the local
 * day) lets it drop a streak dated beyond tomorrow instead of importing a streak frozen until then. `now` (this
 * machine's clock) refuses a file holding a date in the future or long past (see MAX_IMPORT_CLOCK_SKEW_MS): one such
 * session means the file is not what it claims, so nothing of it is imported (not even its other sessions).
 */
export function parseImport(input: unknown, today?: LocalDay, now?: number): ImportParse {
  let value = input;
  if (typeof input === 'string') {
    if (input.length > MAX_IMPORT_CHARS) return refuse(IMPORT_ERRORS.tooLarge);
    try {
      value = JSON.parse(input);
    } catch {
      return refuse(IMPORT_ERRORS.notJson);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse(IMPORT_ERRORS.noExport);
  const o = value as Record<string, unknown>;
  if (o.app !== 'breath-master') return refuse(IMPORT_ERRORS.notOurs);
  if (o.schemaVersion !== EXPORT_SCHEMA_VERSION) {
    return refuse(IMPORT_ERRORS.schema, JSON.stringify(o.schemaVersion) ?? 'undefined', EXPORT_SCHEMA_VERSION);
  }
  const progress = o.progress;
  if (typeof progress !== 'object' || progress === null || Array.isArray(progress)) return refuse(IMPORT_ERRORS.noProgress);
  const p = progress as Record<string, unknown>;
  if (typeof p.xp !== 'number' || !Number.isFinite(p.xp) || p.xp < 0) return refuse(IMPORT_ERRORS.badXp);
  if (p.xp > MAX_IMPORT_XP) return refuse(IMPORT_ERRORS.hugeXp, p.xp, MAX_IMPORT_XP);
  if (o.sessions !== undefined && !Array.isArray(o.sessions)) return refuse(IMPORT_ERRORS.sessionsNotList);
  const rawSessions = (o.sessions as unknown[] | undefined) ?? [];
  if (rawSessions.length > MAX_IMPORT_SESSIONS) return refuse(IMPORT_ERRORS.tooManySessions);
  const sessions = rawSessions.map(normalizeSummary).filter((s): s is SessionSummary => s !== undefined);
  const totals = typeof p.totals === 'object' && p.totals !== null ? (p.totals as Record<string, unknown>) : {};
  const older = typeof o.olderSessions === 'object' && o.olderSessions !== null ? (o.olderSessions as Record<string, unknown>) : {};
  const tooBig = (v: unknown, max: number) => typeof v === 'number' && v > max;
  const rawStreak = typeof p.streak === 'object' && p.streak !== null ? (p.streak as Record<string, unknown>) : {};
  if (tooBig(totals.activeMs, MAX_IMPORT_ACTIVE_MS) || tooBig(older.activeMs, MAX_IMPORT_ACTIVE_MS) || tooBig(totals.sessions, MAX_IMPORT_SESSIONS * 100)
    || tooBig(rawStreak.current, MAX_IMPORT_DAYS) || tooBig(rawStreak.longest, MAX_IMPORT_DAYS)
    || sessions.some((s) => s.activeMs > MAX_IMPORT_ACTIVE_MS || s.cycles > MAX_IMPORT_XP || s.bonusXp > MAX_IMPORT_XP)) {
    return refuse(IMPORT_ERRORS.impossible);
  }
  if (now !== undefined) {
    const exportedAt = typeof o.exportedAt === 'string' ? Date.parse(o.exportedAt) : NaN;
    const times = sessions.flatMap((s) => [s.startedAt, s.endedAt]);
    if (typeof older.firstStartedAt === 'number' && Number.isFinite(older.firstStartedAt)) times.push(older.firstStartedAt);
    if (Number.isFinite(exportedAt)) times.push(exportedAt);
    const bad = implausibleDate(times, now);
    if (bad !== undefined) return refuse(IMPORT_ERRORS.badDate, bad);
  }
  let streak = normalizeStreak(p.streak);
  if (today !== undefined && isFarFuture(streak.lastDay, today)) streak = { current: 0, longest: streak.longest, lastDay: null };
  return {
    ok: true,
    skippedSessions: rawSessions.length - sessions.length,
    data: {
      schemaVersion: EXPORT_SCHEMA_VERSION,
      app: 'breath-master',
      exportedAt: typeof o.exportedAt === 'string' ? o.exportedAt.slice(0, 64) : '',
      progress: { xp: count(p.xp), streak, totals: { activeMs: count(totals.activeMs), sessions: count(totals.sessions) } },
      sessions,
      olderSessions: { sessions: count(older.sessions), activeMs: count(older.activeMs), firstStartedAt: typeof older.firstStartedAt === 'number' && Number.isFinite(older.firstStartedAt) ? older.firstStartedAt : null },
    },
  };
}

/**
 * Merges an import into the progress record; never overwrites. XP and totals take the larger value, not the sum:
 * an export usually comes from this same user (another machine, a backup of this one), so summing would count the
 * same breaths twice, and importing one file twice must change nothing. Streaks merge by the later day; sessions
 * are deduplicated by id.
 */
export function mergeImport(p: ProgressRecord, data: ExportedData): ProgressRecord {
  const byId = new Map<string, SessionSummary>();
  for (const s of [...data.sessions, ...p.recent]) byId.set(s.id, s);
  return {
    ...p,
    xp: Math.max(p.xp, data.progress.xp),
    streak: mergeStreaks(p.streak, data.progress.streak),
    totals: {
      activeMs: Math.max(p.totals.activeMs, data.progress.totals.activeMs),
      sessions: Math.max(p.totals.sessions, data.progress.totals.sessions),
    },
    recent: [...byId.values()].sort((a, b) => a.endedAt - b.endedAt).slice(-RECENT_LIMIT),
  };
}
