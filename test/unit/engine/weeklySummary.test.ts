// A zone with daylight saving time (2024: spring forward 31 March, fall back 27 October): weeks of 167 and 169 hours.
// Vitest runs each file in its own process, and Node re-reads TZ when it is assigned.
process.env.TZ = 'Europe/Berlin';

import { describe, expect, it } from 'vitest';
import { timeZoneCalendar } from '../../../src/engine/history';
import type { SessionSummary } from '../../../src/engine/progressRecord';
import { lastWeekSummary, nextWeekStart, takeWeeklySummary, WEEKLY_SUMMARY_KEY, weekStartOf } from '../../../src/engine/weeklySummary';
import { FakeClock, FakeStoreHub } from './fakeStore';

const MIN = 60_000;
const HOUR = 3_600_000;
const at = (y: number, m: number, d: number, h = 12, min = 0) => new Date(y, m - 1, d, h, min).getTime();
let n = 0;
function session(startedAt: number, minutes: number, goalMinutes = 10): SessionSummary {
  return { id: `s${++n}`, startedAt, endedAt: startedAt + minutes * MIN, goalMinutes, activeMs: minutes * MIN, cycles: 0, bonusXp: 0 };
}

describe('weeks', () => {
  it('start on Monday at local midnight; Sunday 23:59 still belongs to the week before', () => {
    expect(weekStartOf(at(2024, 6, 12))).toBe('2024-06-10'); // a Wednesday
    expect(weekStartOf(at(2024, 6, 10, 0, 0))).toBe('2024-06-10');
    expect(weekStartOf(at(2024, 6, 10, 0, 0) - 1)).toBe('2024-06-03');
    expect(weekStartOf(at(2024, 6, 16, 23, 59))).toBe('2024-06-10');
    expect(weekStartOf(at(2024, 6, 12), { weekStartsOn: 0 })).toBe('2024-06-09');
  });

  it('last 167 hours in the week clocks spring forward and 169 hours in the week they fall back', () => {
    const spring = at(2024, 3, 25, 0);
    expect(nextWeekStart(at(2024, 3, 31, 23, 59))).toBe(at(2024, 4, 1, 0));
    expect(at(2024, 4, 1, 0) - spring).toBe(167 * HOUR);
    expect(weekStartOf(at(2024, 4, 1, 0) - 1)).toBe('2024-03-25');
    expect(nextWeekStart(at(2024, 10, 27, 2, 30))).toBe(at(2024, 10, 28, 0));
    expect(at(2024, 10, 28, 0) - at(2024, 10, 21, 0)).toBe(169 * HOUR);
  });

  it('follow a named time zone, not the process one', () => {
    const ny = timeZoneCalendar('America/New_York');
    // Monday 2024-06-10 03:00 in Berlin is still Sunday 21:00 in New York.
    const t = at(2024, 6, 10, 3);
    expect(weekStartOf(t)).toBe('2024-06-10');
    expect(weekStartOf(t, { calendar: ny })).toBe('2024-06-03');
    expect(nextWeekStart(t, { calendar: ny })).toBe(Date.UTC(2024, 5, 10, 4)); // EDT midnight
  });
});

describe('last week', () => {
  it('adds up last week only: time, sessions, days, days at the goal, and the week before', () => {
    const sessions = [
      session(at(2024, 6, 3, 9), 12), // Mon: goal
      session(at(2024, 6, 3, 18), 3),
      session(at(2024, 6, 5, 9), 4), // Wed: under the goal
      session(at(2024, 6, 9, 20), 10), // Sun: goal
      session(at(2024, 5, 28, 9), 7), // the week before
      session(at(2024, 6, 10, 8), 30), // this week: not counted
    ];
    const s = lastWeekSummary(sessions, { now: at(2024, 6, 11, 10) });
    expect(s).toEqual({ week: '2024-06-03', ms: 29 * MIN, sessions: 4, days: 3, goalDays: 2, previousMs: 7 * MIN });
    expect(lastWeekSummary(sessions, { now: at(2024, 6, 11, 10), dailyGoalMinutes: 5 }).goalDays).toBe(2);
    expect(lastWeekSummary(sessions, { now: at(2024, 6, 11, 10), dailyGoalMinutes: 4 }).goalDays).toBe(3);
  });

  it('splits a session across Sunday midnight between the two weeks', () => {
    const s = lastWeekSummary([session(at(2024, 6, 9, 23, 50), 20)], { now: at(2024, 6, 12) });
    expect(s.ms).toBe(10 * MIN);
    expect(s.days).toBe(1);
  });

  it('over the spring-forward week: a session on its short Sunday counts for that week', () => {
    const s = lastWeekSummary([session(at(2024, 3, 31, 23, 30), 20)], { now: at(2024, 4, 2) });
    expect(s.week).toBe('2024-03-25');
    expect(s.ms).toBe(20 * MIN);
  });

  it('an empty history gives an empty week', () => {
    expect(lastWeekSummary([], { now: at(2024, 6, 12) })).toEqual({ week: '2024-06-03', ms: 0, sessions: 0, days: 0, goalDays: 0, previousMs: 0 });
  });
});

describe('once a week, in one window', () => {
  const history = [session(at(2024, 6, 4, 9), 15), session(at(2024, 6, 11, 9), 5)];

  it('two windows racing at the same instant: exactly one of them shows it, the other and later checks do not', async () => {
    for (let round = 0; round < 20; round++) {
      const hub = new FakeStoreHub();
      const windows = [hub.open('A'), hub.open('B'), hub.open('C')];
      // Stagger the starts differently each round, so every interleaving of read, yield and commit is met.
      const results = await Promise.all(windows.map(async (w, i) => {
        for (let k = 0; k < ((round >> i) & 3); k++) await Promise.resolve();
        return takeWeeklySummary(w, history, { now: at(2024, 6, 10, 9) });
      }));
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      expect(results.find((r) => r !== undefined)?.ms).toBe(15 * MIN);
      const winner = hub.head(WEEKLY_SUMMARY_KEY)?.payload as { by: string; week: string };
      expect(winner.week).toBe('2024-06-10');
      expect(['A', 'B', 'C'][results.findIndex((r) => r !== undefined)]).toBe(winner.by);
      for (const w of windows) expect(await takeWeeklySummary(w, history, { now: at(2024, 6, 14, 9) })).toBeUndefined();
    }
  });

  it('comes back at the next week boundary and not a millisecond before, across the DST weeks too', async () => {
    const hub = new FakeStoreHub();
    const a = hub.open('A');
    const b = hub.open('B');
    const clock = new FakeClock(at(2024, 3, 25, 8));
    const sessions = [session(at(2024, 3, 20, 9), 10), session(at(2024, 3, 27, 9), 10), session(at(2024, 10, 23, 9), 10)];
    expect(await takeWeeklySummary(a, sessions, { now: clock.now() })).toBeDefined();
    clock.set(new Date(2024, 3, 1, 0, 0));
    clock.advance(-1); // Sunday 31 March 23:59:59.999, at the end of a 167-hour week
    expect(await takeWeeklySummary(b, sessions, { now: clock.now() })).toBeUndefined();
    clock.advance(1);
    expect((await takeWeeklySummary(b, sessions, { now: clock.now() }))?.week).toBe('2024-03-25');
    expect(await takeWeeklySummary(a, sessions, { now: clock.now() + HOUR })).toBeUndefined();
    // The 169-hour week: due again at Monday midnight after the fall-back Sunday.
    clock.set(new Date(2024, 9, 28, 0, 0));
    expect(await takeWeeklySummary(a, sessions, { now: clock.now() - 1 })).toBeUndefined(); // that week had no session
    expect((await takeWeeklySummary(a, sessions, { now: clock.now() }))?.week).toBe('2024-10-21');
  });

  it('writes nothing when already shown this week, or when last week was empty', async () => {
    const hub = new FakeStoreHub();
    const a = hub.open('A');
    expect(await takeWeeklySummary(a, history, { now: at(2024, 6, 10, 9) })).toBeDefined();
    const commits = hub.commits;
    for (let h = 1; h < 100; h++) await takeWeeklySummary(a, history, { now: at(2024, 6, 10, 9) + h * HOUR });
    expect(hub.commits).toBe(commits);
    expect(await takeWeeklySummary(a, history, { now: at(2024, 6, 24, 9) })).toBeUndefined(); // the week of 17 June was empty
    expect(hub.commits).toBe(commits);
  });

  it('a window whose clock is behind does not show last week again; a record from a far-future clock is replaced', async () => {
    const hub = new FakeStoreHub();
    hub.seed(WEEKLY_SUMMARY_KEY, { week: '2024-06-17', by: 'ahead', at: at(2024, 6, 17, 0) });
    expect(await takeWeeklySummary(hub.open('A'), history, { now: at(2024, 6, 16, 23, 59) })).toBeUndefined();
    hub.seed(WEEKLY_SUMMARY_KEY, { week: '2031-01-06', by: 'broken clock', at: 0 });
    expect(await takeWeeklySummary(hub.open('B'), history, { now: at(2024, 6, 12) })).toBeDefined();
    expect((hub.head(WEEKLY_SUMMARY_KEY)?.payload as { week: string }).week).toBe('2024-06-10');
  });

  it('odd data in the record is replaced, and the summary shown', async () => {
    for (const odd of [42, 'x', { week: 'soon', by: 'A', at: 1 }, { week: '2024-06-03' }, []]) {
      const hub = new FakeStoreHub();
      hub.seed(WEEKLY_SUMMARY_KEY, odd);
      expect(await takeWeeklySummary(hub.open('A'), history, { now: at(2024, 6, 12) }), JSON.stringify(odd)).toBeDefined();
    }
  });
});
