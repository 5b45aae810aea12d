import { describe, expect, it } from 'vitest';
import { defaultGoalMinutes, levelForXp, levelProgress, LEVELS } from '../../../src/engine';

describe('levels', () => {
  it('names the eight levels with their thresholds', () => {
    expect(LEVELS.map((l) => `${l.level} ${l.title} ${l.minXp}`)).toEqual([
      '1 Mindful Rookie 0',
      '2 Breathing Novice 50',
      '3 Calm Coder 150',
      '4 Zen Developer 300',
      '5 Mindful Master 500',
      '6 Breathing Sage 750',
      '7 Code Mystic 1000',
      '8 Breath Master 1500',
    ]);
  });

  it.each([
    [0, 1], [49, 1], [50, 2], [149, 2], [150, 3], [299, 3], [300, 4], [499, 4], [500, 5],
    [749, 5], [750, 6], [999, 6], [1000, 7], [1499, 7], [1500, 8], [1_000_000, 8],
  ])('%i XP is level %i', (xp, level) => {
    expect(levelForXp(xp).level).toBe(level);
  });

  it('treats negative, fractional and non-finite XP safely', () => {
    expect(levelForXp(-10).level).toBe(1);
    expect(levelForXp(Number.NaN).level).toBe(1);
    expect(levelForXp(Number.POSITIVE_INFINITY).level).toBe(1);
    expect(levelForXp(49.9).level).toBe(1);
  });

  it('reports progress towards the next level', () => {
    expect(levelProgress(100)).toMatchObject({ level: 2, title: 'Breathing Novice', xp: 100, xpToNext: 50, progress: 0.5 });
    expect(levelProgress(150)).toMatchObject({ level: 3, xpToNext: 150, progress: 0 });
    expect(levelProgress(1499)).toMatchObject({ level: 7, xpToNext: 1 });
    expect(levelProgress(2000)).toMatchObject({ level: 8, next: undefined, xpToNext: 0, progress: 1 });
  });

  it('suggests longer default goals at higher levels', () => {
    expect([0, 50, 150, 300, 500, 750, 1000, 1500].map(defaultGoalMinutes)).toEqual([5, 5, 10, 10, 15, 15, 20, 20]);
  });
});
