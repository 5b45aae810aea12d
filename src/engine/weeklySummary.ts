import type { LocalDay } from './calendar';
import { dayFromNumber, dayNumber, historyChart, processCalendar, weekday, type DayCalendar } from './history';
import type { SessionSummary } from './progressRecord';
import type { RecordStore } from './recordStore';

/**
 * The weekly summary: once a week, one window tells the user how last week went. Which window is decided in the
 * store: the first window whose compare-and-set moves "the week a summary was last shown" forward to the current
 * week shows it; every other window — racing at the same instant or arriving later — finds the current week there
 * and says nothing. Pure: the time and the local calendar are passed in.
 */

export const WEEKLY_SUMMARY_KEY = 'breathMaster.weeklySummary';

/** Who showed the summary of which week (the week it was shown in, by its first day). */
export interface WeeklySummaryRecord {
  readonly week: LocalDay;
  readonly by: string;
  readonly at: number;
}

/** Last week, as the summary tells it. */
export interface WeekSummary {
  /** First day of the week summarised. */
  readonly week: LocalDay;
  readonly ms: number;
  readonly sessions: number;
  /** Days of that week with any meditated time. */
  readonly days: number;
  /** Days of that week on which the daily goal was reached. */
  readonly goalDays: number;
  /** Meditated time in the week before it (for a comparison). */
  readonly previousMs: number;
}

export interface WeekOptions {
  readonly calendar?: DayCalendar;
  /** 0 Sunday … 6 Saturday; default 1 (Monday), as the history view's weeks. */
  readonly weekStartsOn?: number;
}

const DAY_MS = 86_400_000;

function startDay(options: WeekOptions): number {
  const v = options.weekStartsOn;
  return v !== undefined && Number.isInteger(v) && v >= 0 && v <= 6 ? v : 1;
}

/** The first local day of the week containing the instant `ms` (calendar dates, so DST weeks of 167 or 169 h are whole). */
export function weekStartOf(ms: number, options: WeekOptions = {}): LocalDay {
  const day = (options.calendar ?? processCalendar).dayOf(ms);
  return dayFromNumber(dayNumber(day) - ((weekday(day) - startDay(options) + 7) % 7));
}

/** The first instant of the week after the one containing `ms`: when the next summary becomes due. */
export function nextWeekStart(ms: number, options: WeekOptions = {}): number {
  const calendar = options.calendar ?? processCalendar;
  return calendar.startOf(dayFromNumber(dayNumber(weekStartOf(ms, options)) + 7));
}

/** Last week's summary as of `now`, from the stored sessions (days attributed as in the history view). */
export function lastWeekSummary(sessions: readonly SessionSummary[], options: WeekOptions & { readonly now: number; readonly dailyGoalMinutes?: number }): WeekSummary {
  const chart = historyChart(sessions, {
    now: options.now,
    calendar: options.calendar,
    weekStartsOn: startDay(options),
    dailyGoalMinutes: options.dailyGoalMinutes,
    heatmapWeeks: 2,
    barWeeks: 3,
    recentLimit: 0,
  });
  const [before, last] = chart.bars;
  // Heatmap cells run from the first day of last week: the first seven are last week's.
  const days = chart.heatmap.cells.slice(0, 7);
  return {
    week: last?.start ?? weekStartOf(options.now - 7 * DAY_MS, options),
    ms: last?.ms ?? 0,
    sessions: last?.sessions ?? 0,
    days: days.filter((c) => c.ms > 0).length,
    goalDays: days.filter((c) => c.level >= 3).length,
    previousMs: before?.ms ?? 0,
  };
}

function isRecord(v: unknown): v is WeeklySummaryRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as WeeklySummaryRecord;
  return typeof r.week === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(r.week) && typeof r.by === 'string' && typeof r.at === 'number';
}

/**
 * Whether `record` still owes this window a summary for the current `week`. Weeks only move forward: a window
 * whose clock is a little behind (a remote extension host near midnight) must not show last week's again. A week
 * more than one ahead can only come from a clock that was wrong; it would silence the summary for months, so it
 * is replaced.
 */
function due(record: unknown, week: LocalDay): boolean {
  if (!isRecord(record)) return true;
  if (record.week < week) return true;
  return dayNumber(record.week) - dayNumber(week) > 7;
}

export interface TakeOptions extends WeekOptions {
  readonly now: number;
  readonly dailyGoalMinutes?: number;
}

/**
 * Claims this week's summary for this window and returns it, or undefined: already shown this week (here or in
 * any other window), nothing happened last week (there is nothing worth saying), or another window won the race.
 * The cached record answers "already shown" without a write, so windows checking often cost nothing.
 */
export async function takeWeeklySummary(store: RecordStore, sessions: readonly SessionSummary[], options: TakeOptions): Promise<WeekSummary | undefined> {
  const week = weekStartOf(options.now, options);
  if (!due(store.get<unknown>(WEEKLY_SUMMARY_KEY, null).payload, week)) return undefined;
  const summary = lastWeekSummary(sessions, options);
  if (summary.sessions === 0 && summary.ms === 0) return undefined;
  const me = store.clientId;
  const mine: WeeklySummaryRecord = { week, by: me, at: options.now };
  const result = await store.update<unknown>(WEEKLY_SUMMARY_KEY, (current) => (due(current, week) ? mine : current), null);
  const won = isRecord(result.payload) && result.payload.by === me && result.payload.week === week && result.payload.at === options.now;
  return won ? summary : undefined;
}
