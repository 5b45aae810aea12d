import { localDayFromDateString } from './calendar';
import { count, normalizeSummary, RECENT_LIMIT, type ProgressRecord, type SessionSummary } from './progressRecord';
import { mergeStreaks } from './streak';

/** Where the earlier Breath Master kept its stats and its onboarding state (VS Code globalState keys). */
export const LEGACY_STATS_KEY = 'breathMaster.meditationStats';
export const LEGACY_ONBOARDING_KEY = 'breathMaster.onboarding';

/** The earlier `breathMaster.meditationStats`, read defensively. */
export interface LegacyStats {
  readonly totalXp: number;
  readonly currentStreak: number;
  readonly longestStreak: number;
  readonly lastDay: string | null;
  readonly todayActiveMs: number;
  readonly sessionsToday: number;
  readonly totalActiveMs: number;
  readonly sessions: readonly SessionSummary[];
}

function timeOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.length < 64) {
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : undefined;
  }
  return undefined;
}

/** A legacy session entry (its exact shape varied) as a summary, or undefined when it has no usable times. */
function legacySession(v: unknown, index: number): SessionSummary | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const startedAt = timeOf(o.startedAt ?? o.startTime ?? o.start ?? o.date);
  if (startedAt === undefined) return undefined;
  const activeMs = count(o.activeMs ?? o.duration ?? o.durationMs);
  const endedAt = timeOf(o.endedAt ?? o.endTime ?? o.end) ?? startedAt + activeMs;
  const id = typeof o.id === 'string' && o.id !== '' ? `legacy-${o.id}` : `legacy-${startedAt}-${index}`;
  return normalizeSummary({ id, startedAt, endedAt, goalMinutes: count(o.goalMinutes ?? o.targetMinutes ?? o.goal), activeMs, cycles: count(o.cycles), bonusXp: 0 });
}

/** Reads the legacy stats; undefined when there is nothing recognisable (absent, not an object). */
export function parseLegacyStats(raw: unknown): LegacyStats | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const o = raw as Record<string, unknown>;
  const known = ['totalXP', 'currentStreak', 'longestStreak', 'totalMeditationTime', 'lastMeditationDate', 'sessionsToday'];
  if (!known.some((k) => k in o)) return undefined;
  const sessions = Array.isArray(o.sessions)
    ? o.sessions.slice(-5000).map(legacySession).filter((s): s is SessionSummary => s !== undefined)
    : [];
  return {
    totalXp: count(o.totalXP),
    currentStreak: count(o.currentStreak),
    longestStreak: count(o.longestStreak),
    lastDay: localDayFromDateString(o.lastMeditationDate) ?? null,
    todayActiveMs: count(o.todaySessionTime),
    sessionsToday: count(o.sessionsToday),
    totalActiveMs: count(o.totalMeditationTime),
    sessions,
  };
}

/**
 * Adds legacy stats to a progress record. The sources are disjoint (the old extension's XP was never in the
 * store), so XP and totals add up; streaks merge by the later day; "today" counts only if it is still today.
 */
export function mergeLegacy(p: ProgressRecord, legacy: LegacyStats, today: string): ProgressRecord {
  const legacyStreak = { current: legacy.lastDay ? legacy.currentStreak : 0, longest: Math.max(legacy.longestStreak, legacy.currentStreak), lastDay: legacy.lastDay };
  const todayTotals =
    legacy.lastDay === today
      ? { day: today, activeMs: (p.today.day === today ? p.today.activeMs : 0) + legacy.todayActiveMs, sessions: (p.today.day === today ? p.today.sessions : 0) + legacy.sessionsToday }
      : p.today;
  const ids = new Set(p.recent.map((s) => s.id));
  const recent = [...legacy.sessions.filter((s) => !ids.has(s.id)), ...p.recent].sort((a, b) => a.endedAt - b.endedAt).slice(-RECENT_LIMIT);
  return {
    ...p,
    xp: p.xp + legacy.totalXp,
    streak: mergeStreaks(p.streak, legacyStreak),
    today: todayTotals,
    totals: {
      activeMs: p.totals.activeMs + legacy.totalActiveMs,
      sessions: p.totals.sessions + Math.max(legacy.sessions.length, legacy.sessionsToday),
    },
    recent,
    legacyImported: true,
  };
}
