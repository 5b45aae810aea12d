import { addDays, isDayBefore, type LocalDay } from './calendar';
import type { Streak } from './progressRecord';

/**
 * Whether `lastDay` lies beyond tomorrow of `today`: no clock skew or time-zone change explains it (an imported
 * file, or a clock that was a year ahead), so it must not hold the streak hostage until that date comes.
 */
export function isFarFuture(lastDay: LocalDay | null, today: LocalDay): boolean {
  return lastDay !== null && lastDay > addDays(today, 1);
}

/**
 * Records meditation on `day`. The first meditation of a day extends the streak when the last one was the day
 * before, else restarts it at 1; further meditation the same day changes nothing (so any number of windows,
 * reloads or sessions count the day once). A day up to one before the last one (clock set back, a time zone to
 * the west) changes nothing; a last day further in the future is not believed: the streak restarts today.
 */
export function markMeditationDay(streak: Streak, day: LocalDay): Streak {
  if (streak.lastDay === day) return streak;
  if (isFarFuture(streak.lastDay, day)) return { current: 1, longest: Math.max(streak.longest, 1), lastDay: day };
  if (streak.lastDay !== null && streak.lastDay > day) return streak;
  const current = streak.lastDay !== null && isDayBefore(streak.lastDay, day) ? streak.current + 1 : 1;
  return { current, longest: Math.max(streak.longest, current), lastDay: day };
}

/** The streak as shown on `today`: still alive when the last meditation was today or yesterday, else 0. */
export function visibleStreak(streak: Streak, today: LocalDay): number {
  if (streak.lastDay === null) return 0;
  return streak.lastDay === today || isDayBefore(streak.lastDay, today) ? streak.current : 0;
}

/** The days a streak says were meditated: its run of `current` days up to `lastDay` (at most `limit` of them). */
export function streakRunDays(streak: Streak, limit: number): LocalDay[] {
  const days: LocalDay[] = [];
  let d = streak.lastDay;
  for (let i = 0; d !== null && i < Math.min(streak.current, limit); i++) {
    days.push(d);
    d = addDays(d, -1);
  }
  return days;
}

/** Streak lengths worth a message. */
export const STREAK_MILESTONES: readonly number[] = [3, 7, 14, 21, 30, 50, 100, 200, 365];

/**
 * Merges two streak records (import, legacy): the one that reaches the later day wins; the same day keeps the
 * longer run; the longest ever is the larger.
 */
export function mergeStreaks(a: Streak, b: Streak): Streak {
  const longest = Math.max(a.longest, b.longest, a.current, b.current);
  if (a.lastDay === null) return { ...b, longest };
  if (b.lastDay === null) return { ...a, longest };
  if (a.lastDay === b.lastDay) return { current: Math.max(a.current, b.current), longest, lastDay: a.lastDay };
  return a.lastDay > b.lastDay ? { ...a, longest } : { ...b, longest };
}
