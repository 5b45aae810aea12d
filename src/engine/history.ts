import { localDayOf, type LocalDay } from './calendar';
import type { SessionSummary } from './progressRecord';

/**
 * Chart data of the stored session history: today, this week, the day streak, a calendar heatmap, weekly bars,
 * the recent sessions and the daily minutes goal. Pure: the time is passed in, and local days come from a
 * `DayCalendar` (the process time zone by default, or any IANA zone), so the same history gives the same chart
 * in every window and in tests on any machine.
 *
 * Minutes are attributed to the local day they were meditated on: a session that runs across midnight is split
 * at the local midnight (its active time spread evenly over its span, since pauses are not stored per instant).
 */

/** How instants map to local calendar days. */
export interface DayCalendar {
  /** The local day containing the instant `ms`. */
  dayOf(ms: number): LocalDay;
  /** `dayNumber(dayOf(ms))`, usually faster (it is called for every session). */
  dayNumberOf(ms: number): number;
  /** The first instant of `day` (local midnight, or the first instant after it when midnight was skipped by DST). */
  startOf(day: LocalDay): number;
}

const DAY_MS = 86_400_000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

function parts(day: LocalDay): [number, number, number] {
  const m = DAY_PATTERN.exec(day);
  if (!m) throw new RangeError(`Not a local day: ${JSON.stringify(day)}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** Days since 1970-01-01 of a calendar date: plain date arithmetic (UTC has no DST), independent of any zone. */
export function dayNumber(day: LocalDay): number {
  const [y, m, d] = parts(day);
  return Math.round(Date.UTC(y, m - 1, d) / DAY_MS);
}

/** The calendar date `n` days after 1970-01-01. */
export function dayFromNumber(n: number): LocalDay {
  const d = new Date(n * DAY_MS);
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** Day of the week of a calendar date: 0 Sunday … 6 Saturday. */
export function weekday(day: LocalDay): number {
  return (((dayNumber(day) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

/** The process time zone (what `calendar.ts` and the streak use). */
export const processCalendar: DayCalendar = {
  dayOf: localDayOf,
  // Local wall-clock time is UTC plus the offset in force at that instant (one zone lookup instead of three).
  dayNumberOf: (ms) => Math.floor((ms - new Date(ms).getTimezoneOffset() * 60_000) / DAY_MS),
  startOf: (day) => {
    const [y, m, d] = parts(day);
    return new Date(y, m - 1, d).getTime();
  },
};

/**
 * Local days in an IANA time zone (e.g. "Europe/Berlin"), independent of the process zone. Throws a RangeError
 * for an unknown zone.
 */
export function timeZoneCalendar(timeZone: string): DayCalendar {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const dayOf = (ms: number): LocalDay => {
    let y = '';
    let m = '';
    let d = '';
    for (const p of format.formatToParts(ms)) {
      if (p.type === 'year') y = p.value;
      else if (p.type === 'month') m = p.value;
      else if (p.type === 'day') d = p.value;
    }
    return `${y.padStart(4, '0')}-${m}-${d}`;
  };
  return {
    dayOf,
    dayNumberOf: (ms) => dayNumber(dayOf(ms)),
    startOf: (day) => {
      // Offsets lie within ±15 h of UTC: the first instant whose local day is `day` lies in that window. Days in
      // YYYY-MM-DD compare like strings, and the local day only moves forward with time: bisect.
      const utcMidnight = dayNumber(day) * DAY_MS;
      let lo = utcMidnight - 15 * 3_600_000;
      let hi = utcMidnight + 15 * 3_600_000;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (dayOf(mid) < day) lo = mid;
        else hi = mid;
      }
      return hi;
    },
  };
}

export interface HistoryOptions {
  /** The instant "today" is taken from. */
  readonly now: number;
  readonly calendar?: DayCalendar;
  /** Minutes a day counts as done; default 10. */
  readonly dailyGoalMinutes?: number;
  /** First day of the week: 0 Sunday … 6 Saturday; default 1 (Monday, ISO 8601). */
  readonly weekStartsOn?: number;
  /** Columns (weeks) of the heatmap, the last one the current week; default 26. */
  readonly heatmapWeeks?: number;
  /** Bars (weeks) of the weekly chart, the last one the current week; default 12. */
  readonly barWeeks?: number;
  /** Sessions in the recent list; default 10. */
  readonly recentLimit?: number;
  /** The running or paused session's active time so far (not in the history until it ends): counted for today. */
  readonly running?: { readonly startedAt: number; readonly activeMs: number } | null;
}

export interface HeatmapCell {
  readonly day: LocalDay;
  readonly ms: number;
  /** 0 nothing, 1 under half the daily goal, 2 under the goal, 3 the goal, 4 twice the goal or more. */
  readonly level: 0 | 1 | 2 | 3 | 4;
  /** After today (the rest of the current week): drawn empty. */
  readonly future: boolean;
}

export interface WeekBar {
  /** The week's first day. */
  readonly start: LocalDay;
  readonly ms: number;
  readonly sessions: number;
}

export interface RecentSession {
  readonly id: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly activeMs: number;
  readonly goalMinutes: number;
  readonly goalReached: boolean;
}

export interface HistoryChart {
  readonly today: { readonly day: LocalDay; readonly ms: number; readonly sessions: number };
  readonly week: { readonly start: LocalDay; readonly ms: number; readonly sessions: number };
  /** Days in a row with meditation, ending today or yesterday (0 otherwise); longest run in the history. */
  readonly streak: { readonly current: number; readonly longest: number };
  readonly goal: { readonly minutes: number; readonly ms: number; readonly fraction: number; readonly reached: boolean };
  /** `weeks` columns of 7 days from `start` (a week's first day), column by column; cells.length = weeks × 7. */
  readonly heatmap: { readonly weeks: number; readonly start: LocalDay; readonly cells: readonly HeatmapCell[]; readonly maxMs: number };
  /** Oldest first; the last is the current week. */
  readonly bars: readonly WeekBar[];
  /** Newest first. */
  readonly recent: readonly RecentSession[];
  readonly totals: { readonly sessions: number; readonly ms: number };
}

/** Sessions spanning more days than this are bad data (a clock jump): their time goes to their first day. */
const MAX_SPAN_DAYS = 31;

function clampInt(v: number | undefined, fallback: number, min: number, max: number): number {
  return v !== undefined && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.floor(v))) : fallback;
}

/** Adds a session's active time to the local days of its span. `sessions` counts it on the day it started. */
function attribute(days: Map<number, number>, starts: Map<number, number>, calendar: DayCalendar, startedAt: number, endedAt: number, activeMs: number): void {
  const first = calendar.dayNumberOf(startedAt);
  starts.set(first, (starts.get(first) ?? 0) + 1);
  if (!(activeMs > 0)) return;
  const end = endedAt > startedAt ? endedAt : startedAt;
  const last = calendar.dayNumberOf(end);
  if (last === first || last - first > MAX_SPAN_DAYS) {
    days.set(first, (days.get(first) ?? 0) + activeMs);
    return;
  }
  const span = end - startedAt;
  let from = startedAt;
  let given = 0;
  for (let day = first; day <= last; day++) {
    const to = day === last ? end : Math.min(end, calendar.startOf(dayFromNumber(day + 1)));
    // The last piece takes the rest, so rounding never loses or invents a millisecond.
    const piece = day === last ? activeMs - given : Math.round((activeMs * (to - from)) / span);
    given += piece;
    if (piece > 0) days.set(day, (days.get(day) ?? 0) + piece);
    from = to;
  }
}

function level(ms: number, goalMs: number): HeatmapCell['level'] {
  if (ms <= 0) return 0;
  if (ms >= 2 * goalMs) return 4;
  if (ms >= goalMs) return 3;
  return ms >= goalMs / 2 ? 2 : 1;
}

/** Everything the history view draws, for the history `sessions` (any order) as of `options.now`. */
export function historyChart(sessions: readonly SessionSummary[], options: HistoryOptions): HistoryChart {
  const calendar = options.calendar ?? processCalendar;
  const goalMinutes = clampInt(options.dailyGoalMinutes, 10, 1, 1440);
  const goalMs = goalMinutes * 60_000;
  const weekStartsOn = clampInt(options.weekStartsOn, 1, 0, 6);
  const heatmapWeeks = clampInt(options.heatmapWeeks, 26, 1, 106);
  const barWeeks = clampInt(options.barWeeks, 12, 1, 106);
  const recentLimit = clampInt(options.recentLimit, 10, 0, 500);

  const days = new Map<number, number>();
  const starts = new Map<number, number>();
  let totalMs = 0;
  let count = 0;
  for (const s of sessions) {
    if (!Number.isFinite(s.startedAt) || !Number.isFinite(s.endedAt)) continue;
    const activeMs = Number.isFinite(s.activeMs) && s.activeMs > 0 ? s.activeMs : 0;
    attribute(days, starts, calendar, s.startedAt, s.endedAt, activeMs);
    totalMs += activeMs;
    count++;
  }
  const running = options.running;
  if (running && Number.isFinite(running.startedAt) && Number.isFinite(running.activeMs) && running.activeMs > 0) {
    // Still running: its time so far, up to now (shown as today's, split at midnight like an ended one).
    const startsBefore = new Map<number, number>();
    attribute(days, startsBefore, calendar, Math.min(running.startedAt, options.now), options.now, running.activeMs);
  }

  const todayDay = calendar.dayOf(options.now);
  const today = dayNumber(todayDay);
  const weekStart = today - ((weekday(todayDay) - weekStartsOn + 7) % 7);
  const ms = (d: number) => days.get(d) ?? 0;
  const sumRange = (from: number, to: number, map: Map<number, number>) => {
    let sum = 0;
    for (let d = from; d < to; d++) sum += map.get(d) ?? 0;
    return sum;
  };

  // Streaks over the days with time (a few hundred at most).
  const meditated = [...days.entries()].filter(([, v]) => v > 0).map(([d]) => d).sort((a, b) => a - b);
  let longest = 0;
  let run = 0;
  for (let i = 0; i < meditated.length; i++) {
    run = i > 0 && meditated[i] === (meditated[i - 1] ?? 0) + 1 ? run + 1 : 1;
    longest = Math.max(longest, run);
  }
  let current = 0;
  for (let d = ms(today) > 0 ? today : today - 1; ms(d) > 0; d--) current++;

  const heatStart = weekStart - (heatmapWeeks - 1) * 7;
  const cells: HeatmapCell[] = [];
  let maxMs = 0;
  for (let d = heatStart; d < weekStart + 7; d++) {
    const v = d > today ? 0 : ms(d);
    maxMs = Math.max(maxMs, v);
    cells.push({ day: dayFromNumber(d), ms: v, level: level(v, goalMs), future: d > today });
  }

  const bars: WeekBar[] = [];
  for (let w = barWeeks - 1; w >= 0; w--) {
    const from = weekStart - w * 7;
    bars.push({ start: dayFromNumber(from), ms: sumRange(from, from + 7, days), sessions: sumRange(from, from + 7, starts) });
  }

  const recent: RecentSession[] = [...sessions]
    .filter((s) => Number.isFinite(s.startedAt) && Number.isFinite(s.endedAt))
    .sort((a, b) => b.endedAt - a.endedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, recentLimit)
    .map((s) => ({ id: s.id, startedAt: s.startedAt, endedAt: s.endedAt, activeMs: s.activeMs, goalMinutes: s.goalMinutes, goalReached: s.goalMinutes > 0 && s.activeMs >= s.goalMinutes * 60_000 }));

  const todayMs = ms(today);
  return {
    today: { day: todayDay, ms: todayMs, sessions: starts.get(today) ?? 0 },
    week: { start: dayFromNumber(weekStart), ms: sumRange(weekStart, weekStart + 7, days), sessions: sumRange(weekStart, weekStart + 7, starts) },
    streak: { current, longest: Math.max(longest, current) },
    goal: { minutes: goalMinutes, ms: todayMs, fraction: Math.min(1, todayMs / goalMs), reached: todayMs >= goalMs },
    heatmap: { weeks: heatmapWeeks, start: dayFromNumber(heatStart), cells, maxMs },
    bars,
    recent,
    totals: { sessions: count, ms: totalMs },
  };
}
