// Runs in a zone with daylight saving time, so "a day" of 23 or 25 hours is exercised. Vitest runs each test file
// in its own process (forks pool), and Node re-reads TZ when it is assigned.
process.env.TZ = 'America/New_York';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, isDayBefore, isLocalDay, localDayOf, markMeditationDay, nextLocalMidnight, visibleStreak, type Streak } from '../../../src/engine';
import { localDayFromDateString } from '../../../src/engine/calendar';
import { mergeStreaks } from '../../../src/engine/streak';

const at = (y: number, m: number, d: number, h = 12, min = 0) => new Date(y, m - 1, d, h, min).getTime();
const none: Streak = { current: 0, longest: 0, lastDay: null };

describe('local days', () => {
  it('is really running in a DST zone', () => {
    // Spring forward 2024-03-10: local midnight to midnight is 23 hours.
    expect(at(2024, 3, 11, 0) - at(2024, 3, 10, 0)).toBe(23 * 3600_000);
    expect(at(2024, 11, 4, 0) - at(2024, 11, 3, 0)).toBe(25 * 3600_000);
  });

  it('names the local calendar date, not the UTC one', () => {
    expect(localDayOf(at(2024, 6, 10, 23, 59))).toBe('2024-06-10');
    expect(localDayOf(at(2024, 6, 11, 0, 0))).toBe('2024-06-11');
  });

  it('steps by calendar days across month ends, leap days and DST', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2024-03-10', 1)).toBe('2024-03-11');
    expect(addDays('2024-11-03', -1)).toBe('2024-11-02');
    expect(isDayBefore('2024-03-09', '2024-03-10')).toBe(true);
    expect(isDayBefore('2024-03-10', '2024-03-10')).toBe(false);
  });

  it('computes the next local midnight across DST days', () => {
    expect(nextLocalMidnight(at(2024, 3, 10, 1))).toBe(at(2024, 3, 11, 0));
    expect(nextLocalMidnight(at(2024, 11, 3, 1, 30))).toBe(at(2024, 11, 4, 0));
    // 24 h after noon on the fall-back day is still Nov 4 11:00 local, one day later by the calendar.
    expect(localDayOf(at(2024, 11, 3, 12) + 24 * 3600_000)).toBe('2024-11-04');
  });

  it('recognises only real dates', () => {
    expect(isLocalDay('2024-02-29')).toBe(true);
    for (const bad of ['2023-02-29', '2024-13-01', '2024-1-1', '', '2024-01-01T00:00', 20240101, null]) expect(isLocalDay(bad)).toBe(false);
  });

  it('reads the legacy Date.toDateString() format', () => {
    expect(localDayFromDateString(new Date(2024, 2, 5).toDateString())).toBe('2024-03-05');
    expect(localDayFromDateString('Tue Mar 05 2024')).toBe('2024-03-05');
    for (const bad of ['Feb 30 2024', 'Fri Feb 30 2024', '2024-03-05', '', 'Tue Xyz 05 2024', 5]) expect(localDayFromDateString(bad)).toBeUndefined();
  });
});

describe('streaks by local calendar day', () => {
  it('starts at 1, extends on the next day and counts a day once', () => {
    let s = markMeditationDay(none, '2024-06-10');
    expect(s).toEqual({ current: 1, longest: 1, lastDay: '2024-06-10' });
    expect(markMeditationDay(s, '2024-06-10')).toBe(s);
    s = markMeditationDay(s, '2024-06-11');
    expect(s).toEqual({ current: 2, longest: 2, lastDay: '2024-06-11' });
  });

  it('extends across midnight: 23:30 then 00:10 are two consecutive days', () => {
    let s = markMeditationDay(none, localDayOf(at(2024, 6, 10, 23, 30)));
    s = markMeditationDay(s, localDayOf(at(2024, 6, 11, 0, 10)));
    expect(s.current).toBe(2);
  });

  it('extends across the 23-hour and the 25-hour DST days', () => {
    // Late on the day before spring forward, then early on the day after: 24+ hours apart but consecutive days.
    let s = markMeditationDay(none, localDayOf(at(2024, 3, 9, 0, 5)));
    s = markMeditationDay(s, localDayOf(at(2024, 3, 10, 23, 55)));
    s = markMeditationDay(s, localDayOf(at(2024, 3, 11, 0, 5)));
    expect(s.current).toBe(3);
    let f = markMeditationDay(none, localDayOf(at(2024, 11, 3, 0, 30)));
    f = markMeditationDay(f, localDayOf(at(2024, 11, 4, 23, 30)));
    expect(f.current).toBe(2);
  });

  it('restarts at 1 after a missed day and keeps the longest', () => {
    const s = markMeditationDay({ current: 5, longest: 5, lastDay: '2024-06-10' }, '2024-06-12');
    expect(s).toEqual({ current: 1, longest: 5, lastDay: '2024-06-12' });
  });

  it('ignores a day before the last one (clock set back)', () => {
    const s = { current: 3, longest: 3, lastDay: '2024-06-10' };
    expect(markMeditationDay(s, '2024-06-09')).toBe(s);
  });

  it('shows 0 once a day was missed, before the next meditation resets it', () => {
    const s = { current: 4, longest: 6, lastDay: '2024-06-10' };
    expect(visibleStreak(s, '2024-06-10')).toBe(4);
    expect(visibleStreak(s, '2024-06-11')).toBe(4);
    expect(visibleStreak(s, '2024-06-12')).toBe(0);
    expect(visibleStreak(none, '2024-06-12')).toBe(0);
  });

  it('merges two streak records by the later day, keeping the longest', () => {
    expect(mergeStreaks({ current: 2, longest: 9, lastDay: '2024-06-10' }, { current: 5, longest: 5, lastDay: '2024-06-08' })).toEqual({ current: 2, longest: 9, lastDay: '2024-06-10' });
    expect(mergeStreaks({ current: 2, longest: 2, lastDay: '2024-06-10' }, { current: 5, longest: 5, lastDay: '2024-06-10' })).toEqual({ current: 5, longest: 5, lastDay: '2024-06-10' });
    expect(mergeStreaks(none, { current: 3, longest: 4, lastDay: '2024-06-10' })).toEqual({ current: 3, longest: 4, lastDay: '2024-06-10' });
  });

  it('equals the run of consecutive calendar days ending at the last one, however often a day repeats (property)', () => {
    // Days from Feb 2024 over 14 months: both DST changes, a leap day, year end.
    const base = new Date(2024, 1, 1, 12).getTime();
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 420 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 23 }), (offsets, hour) => {
        const sorted = [...offsets].sort((x, y) => x - y);
        let streak: Streak = none;
        for (const o of sorted) {
          const d = new Date(base);
          d.setDate(d.getDate() + o);
          d.setHours(hour);
          streak = markMeditationDay(streak, localDayOf(d.getTime()));
        }
        // Independently: runs over distinct offsets (offsets are calendar days by construction).
        const distinct = [...new Set(sorted)];
        let run = 0;
        let best = 0;
        distinct.forEach((o, i) => {
          run = i > 0 && o === (distinct[i - 1] as number) + 1 ? run + 1 : 1;
          best = Math.max(best, run);
        });
        expect(streak.current).toBe(run);
        expect(streak.longest).toBe(best);
      }),
    );
  });
});
