// Runs in a zone with daylight saving time (2024: spring forward 31 March, fall back 27 October), so a local day of
// 23 or 25 hours is exercised by the default calendar. Vitest runs each test file in its own process (forks pool),
// and Node re-reads TZ when it is assigned. The zone-aware calendar is tested too, independent of the process zone.
process.env.TZ = 'Europe/Berlin';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDayOf } from '../../../src/engine/calendar';
import { dayFromNumber, dayNumber, historyChart, processCalendar, timeZoneCalendar, weekday, type DayCalendar } from '../../../src/engine/history';
import type { SessionSummary } from '../../../src/engine/progressRecord';

const MIN = 60_000;
const HOUR = 3_600_000;
/** A local wall-clock instant in the process zone (Europe/Berlin). */
const at = (y: number, m: number, d: number, h = 12, min = 0) => new Date(y, m - 1, d, h, min).getTime();
let n = 0;
function session(startedAt: number, endedAt: number, activeMs = endedAt - startedAt, goalMinutes = 10): SessionSummary {
  return { id: `s${++n}`, startedAt, endedAt, goalMinutes, activeMs, cycles: 0, bonusXp: 0 };
}
const cell = (chart: ReturnType<typeof historyChart>, day: string) => chart.heatmap.cells.find((c) => c.day === day);

describe('calendar days', () => {
  it('is really running in a DST zone', () => {
    expect(at(2024, 4, 1, 0) - at(2024, 3, 31, 0)).toBe(23 * HOUR);
    expect(at(2024, 10, 28, 0) - at(2024, 10, 27, 0)).toBe(25 * HOUR);
  });

  it('numbers days and weekdays by the calendar alone', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayFromNumber(dayNumber('2024-02-29') + 1)).toBe('2024-03-01');
    expect(dayFromNumber(dayNumber('2024-03-31') + 1)).toBe('2024-04-01');
    expect(weekday('2024-03-31')).toBe(0); // a Sunday
    expect(weekday('2024-10-28')).toBe(1); // a Monday
    fc.assert(fc.property(fc.integer({ min: -50_000, max: 50_000 }), (k) => dayNumber(dayFromNumber(k)) === k));
  });

  it('starts days at local midnight in the process zone and in a named zone, DST days included', () => {
    const berlin = timeZoneCalendar('Europe/Berlin');
    for (const day of ['2024-03-31', '2024-04-01', '2024-10-27', '2024-10-28', '2024-06-15']) {
      const [y, m, d] = day.split('-').map(Number) as [number, number, number];
      expect(processCalendar.startOf(day)).toBe(at(y, m, d, 0));
      expect(berlin.startOf(day)).toBe(at(y, m, d, 0));
    }
    const ny = timeZoneCalendar('America/New_York');
    expect(ny.startOf('2024-03-10')).toBe(Date.UTC(2024, 2, 10, 5)); // EST midnight
    expect(ny.startOf('2024-03-11')).toBe(Date.UTC(2024, 2, 11, 4)); // EDT midnight: the day before lasted 23 h
    expect(ny.dayOf(Date.UTC(2024, 2, 11, 3, 59))).toBe('2024-03-10');
  });

  it('the named-zone calendar and day numbers agree with the process zone on every hour of 2024', () => {
    const berlin = timeZoneCalendar('Europe/Berlin');
    for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2025, 0, 1); t += HOUR) {
      if (berlin.dayOf(t) !== localDayOf(t)) throw new Error(`differs at ${new Date(t).toISOString()}`);
      if (berlin.dayOf(t + HOUR - 1) !== localDayOf(t + HOUR - 1)) throw new Error(`differs before ${new Date(t + HOUR).toISOString()}`);
      if (processCalendar.dayNumberOf(t) !== dayNumber(localDayOf(t))) throw new Error(`day number differs at ${new Date(t).toISOString()}`);
      if (processCalendar.dayNumberOf(t - 1) !== dayNumber(localDayOf(t - 1))) throw new Error(`day number differs before ${new Date(t).toISOString()}`);
    }
  });
});

describe('historyChart', () => {
  it('an empty history: zeros everywhere, full-size charts', () => {
    const chart = historyChart([], { now: at(2024, 6, 12, 9) });
    expect(chart.today).toEqual({ day: '2024-06-12', ms: 0, sessions: 0 });
    expect(chart.week).toEqual({ start: '2024-06-10', ms: 0, sessions: 0 });
    expect(chart.streak).toEqual({ current: 0, longest: 0 });
    expect(chart.goal).toEqual({ minutes: 10, ms: 0, fraction: 0, reached: false });
    expect(chart.heatmap.cells).toHaveLength(26 * 7);
    expect(chart.heatmap.cells.every((c) => c.ms === 0 && c.level === 0)).toBe(true);
    expect(chart.heatmap.cells.at(-1)?.day).toBe('2024-06-16'); // the current week's Sunday
    expect(chart.heatmap.cells.filter((c) => c.future).map((c) => c.day)).toEqual(['2024-06-13', '2024-06-14', '2024-06-15', '2024-06-16']);
    expect(chart.bars.map((b) => b.start)).toHaveLength(12);
    expect(chart.bars.at(-1)).toEqual({ start: '2024-06-10', ms: 0, sessions: 0 });
    expect(chart.bars[0]?.start).toBe('2024-03-25');
    expect(chart.recent).toEqual([]);
  });

  it('buckets by local day on the DST days: 23:50 on a 23-hour or 25-hour day is still that day', () => {
    const sessions = [
      session(at(2024, 3, 31, 23, 40), at(2024, 3, 31, 23, 50)), // 24 h after midnight would already be 1 April
      session(at(2024, 10, 27, 23, 40), at(2024, 10, 27, 23, 50)), // 24 h after midnight would be 23:00, still 27 Oct
      session(at(2024, 10, 28, 0, 5), at(2024, 10, 28, 0, 15)),
    ];
    const chart = historyChart(sessions, { now: at(2024, 10, 28, 12), heatmapWeeks: 40 });
    expect(cell(chart, '2024-03-31')?.ms).toBe(10 * MIN);
    expect(cell(chart, '2024-04-01')?.ms).toBe(0);
    expect(cell(chart, '2024-10-27')?.ms).toBe(10 * MIN);
    expect(cell(chart, '2024-10-28')?.ms).toBe(10 * MIN);
    expect(chart.today).toEqual({ day: '2024-10-28', ms: 10 * MIN, sessions: 1 });
    expect(chart.streak.current).toBe(2);
  });

  it('splits a session across local midnight, active time spread over its span, nothing lost', () => {
    // 23:30 → 00:30 over the spring-forward night, 40 of the 60 minutes active (20 paused).
    const s = session(at(2024, 3, 30, 23, 30), at(2024, 3, 31, 0, 30), 40 * MIN);
    const chart = historyChart([s], { now: at(2024, 3, 31, 12) });
    expect(cell(chart, '2024-03-30')?.ms).toBe(20 * MIN);
    expect(cell(chart, '2024-03-31')?.ms).toBe(20 * MIN);
    expect(chart.today.ms).toBe(20 * MIN);
    expect(chart.today.sessions).toBe(0); // counted on the day it started
    expect(chart.week.ms).toBe(40 * MIN); // Mon 25 – Sun 31 March
    expect(chart.streak).toEqual({ current: 2, longest: 2 });
  });

  it('splits across midnight in a named zone whatever the process zone', () => {
    const ny = timeZoneCalendar('America/New_York');
    // 22:00 EST 9 March → 02:00 EST 10 March (= 03:00 EDT): 4 real hours, 2 before midnight.
    const s = session(Date.UTC(2024, 2, 10, 3), Date.UTC(2024, 2, 10, 7), 4 * HOUR);
    const chart = historyChart([s], { now: Date.UTC(2024, 2, 10, 18), calendar: ny });
    expect(chart.today.day).toBe('2024-03-10');
    expect(cell(chart, '2024-03-09')?.ms).toBe(2 * HOUR);
    expect(cell(chart, '2024-03-10')?.ms).toBe(2 * HOUR);
    // The same instants in Berlin fall on 10 March only (04:00–08:00).
    const berlin = historyChart([s], { now: Date.UTC(2024, 2, 10, 18) });
    expect(cell(berlin, '2024-03-10')?.ms).toBe(4 * HOUR);
  });

  it('keeps every active millisecond of sessions within the heatmap (any spans, any zone)', () => {
    const zones: DayCalendar[] = [processCalendar, timeZoneCalendar('America/New_York'), timeZoneCalendar('Australia/Lord_Howe')];
    const now = at(2024, 11, 20, 12);
    const first = at(2024, 6, 3, 0); // inside the 26 weeks for every zone
    fc.assert(fc.property(
      fc.array(fc.record({ start: fc.integer({ min: 0, max: 160 * 24 * 60 }), minutes: fc.integer({ min: 0, max: 3 * 24 * 60 }), activePct: fc.integer({ min: 0, max: 100 })}), { maxLength: 30 }),
      fc.integer({ min: 0, max: 2 }),
      (specs, z) => {
        const sessions = specs.map((p) => {
          const start = first + p.start * MIN;
          const end = start + p.minutes * MIN;
          return session(start, end, Math.round((end - start) * p.activePct / 100));
        });
        const chart = historyChart(sessions, { now, calendar: zones[z] });
        const inCells = chart.heatmap.cells.reduce((sum, c) => sum + c.ms, 0);
        const total = sessions.reduce((sum, s) => sum + s.activeMs, 0);
        return inCells === total && chart.totals.ms === total && chart.heatmap.cells.every((c) => c.ms >= 0);
      },
    ), { numRuns: 60 });
  });

  it('streaks: today or yesterday keeps it alive, a gap ends it, the longest run is kept', () => {
    const days = [1, 2, 3, 4, 5, 10, 11, 12]; // June 2024
    const sessions = days.map((d) => session(at(2024, 6, d, 8), at(2024, 6, d, 8, 5)));
    expect(historyChart(sessions, { now: at(2024, 6, 12, 20) }).streak).toEqual({ current: 3, longest: 5 });
    expect(historyChart(sessions, { now: at(2024, 6, 13, 7) }).streak).toEqual({ current: 3, longest: 5 });
    expect(historyChart(sessions, { now: at(2024, 6, 14, 7) }).streak).toEqual({ current: 0, longest: 5 });
  });

  it('the daily goal: progress, reached, heatmap levels relative to it', () => {
    const now = at(2024, 6, 12, 20);
    const sessions = [
      session(at(2024, 6, 8, 8), at(2024, 6, 8, 8, 4)), // 4 of 10: level 1
      session(at(2024, 6, 9, 8), at(2024, 6, 9, 8, 6)), // 6: level 2
      session(at(2024, 6, 10, 8), at(2024, 6, 10, 8, 10)), // 10: level 3
      session(at(2024, 6, 11, 8), at(2024, 6, 11, 8, 25)), // 25: level 4
      session(at(2024, 6, 12, 8), at(2024, 6, 12, 8, 3)),
      session(at(2024, 6, 12, 9), at(2024, 6, 12, 9, 3)),
    ];
    const chart = historyChart(sessions, { now, dailyGoalMinutes: 10 });
    expect(['2024-06-07', '2024-06-08', '2024-06-09', '2024-06-10', '2024-06-11'].map((d) => cell(chart, d)?.level)).toEqual([0, 1, 2, 3, 4]);
    expect(chart.goal).toEqual({ minutes: 10, ms: 6 * MIN, fraction: 0.6, reached: false });
    expect(chart.today.sessions).toBe(2);
    expect(historyChart(sessions, { now, dailyGoalMinutes: 5 }).goal).toMatchObject({ fraction: 1, reached: true });
    // A running session's time so far counts for today.
    expect(historyChart(sessions, { now, dailyGoalMinutes: 10, running: { startedAt: now - 5 * MIN, activeMs: 4 * MIN } }).goal).toMatchObject({ ms: 10 * MIN, reached: true });
    expect(chart.heatmap.maxMs).toBe(25 * MIN);
  });

  it('weeks start on the chosen day', () => {
    const now = at(2024, 6, 12, 20); // a Wednesday
    const sessions = [session(at(2024, 6, 9, 8), at(2024, 6, 9, 8, 10))]; // the Sunday before
    expect(historyChart(sessions, { now }).week).toEqual({ start: '2024-06-10', ms: 0, sessions: 0 });
    expect(historyChart(sessions, { now, weekStartsOn: 0 }).week).toEqual({ start: '2024-06-09', ms: 10 * MIN, sessions: 1 });
    expect(historyChart(sessions, { now, weekStartsOn: 0 }).heatmap.cells[0]?.day).toBe(dayFromNumber(dayNumber('2024-06-09') - 25 * 7));
  });

  it('recent sessions: newest first, limited, goal reached marked', () => {
    const sessions = Array.from({ length: 15 }, (_, i) => session(at(2024, 6, 1 + i, 8), at(2024, 6, 1 + i, 8, i)));
    const chart = historyChart(sessions, { now: at(2024, 6, 20), recentLimit: 5 });
    expect(chart.recent.map((r) => r.endedAt)).toEqual([14, 13, 12, 11, 10].map((i) => at(2024, 6, 1 + i, 8, i)));
    expect(chart.recent.map((r) => r.goalReached)).toEqual([true, true, true, true, true]);
    expect(historyChart(sessions, { now: at(2024, 6, 20), recentLimit: 15 }).recent.at(-1)?.goalReached).toBe(false);
  });

  it('a full history (500 sessions): right totals, well under 2 ms a chart', () => {
    const now = at(2025, 1, 1, 9);
    // Two sessions a day for the 250 days up to 31 Dec 2024: 12 min at 07:00, and 8 min at 18:00 or, every fifth
    // day, 20 min from 23:50 (10 of them after midnight, on the next day).
    const sessions: SessionSummary[] = [];
    for (let i = 0; i < 250; i++) {
      const d = new Date(2024, 11, 31 - i);
      const y = d.getFullYear();
      const m = d.getMonth() + 1;
      const day = d.getDate();
      sessions.push(session(at(y, m, day, 7), at(y, m, day, 7, 12)));
      sessions.push(i % 5 === 0 ? session(at(y, m, day, 23, 50), at(y, m, day, 23, 50) + 20 * MIN) : session(at(y, m, day, 18), at(y, m, day, 18, 8)));
    }
    sessions.reverse();
    const chart = historyChart(sessions, { now });
    expect(chart.totals).toEqual({ sessions: 500, ms: 250 * 12 * MIN + 50 * 20 * MIN + 200 * 8 * MIN });
    expect(chart.streak).toEqual({ current: 251, longest: 251 }); // 31 Dec's late session reaches into 1 Jan
    expect(chart.today).toEqual({ day: '2025-01-01', ms: 10 * MIN, sessions: 0 });
    expect(cell(chart, '2024-12-31')?.ms).toBe(12 * MIN + 10 * MIN);
    expect(cell(chart, '2024-12-30')?.ms).toBe(12 * MIN + 8 * MIN);
    expect(cell(chart, '2024-12-27')?.ms).toBe(12 * MIN + 8 * MIN + 10 * MIN); // and the end of 26 Dec's late session
    expect(cell(chart, '2024-12-26')?.ms).toBe(12 * MIN + 10 * MIN);
    for (let i = 0; i < 50; i++) historyChart(sessions, { now });
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      historyChart(sessions, { now });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const median = times[25] ?? Infinity;
    console.log(`historyChart, 500 sessions: median ${median.toFixed(3)} ms, max ${(times.at(-1) ?? 0).toFixed(3)} ms`);
    expect(median).toBeLessThan(2);
  });
});
