/** Levels earned by XP. Thresholds are the minimum total XP of each level. */
export interface Level {
  readonly level: number;
  readonly title: string;
  readonly minXp: number;
}

export const LEVELS: readonly Level[] = [
  { level: 1, title: 'Mindful Rookie', minXp: 0 },
  { level: 2, title: 'Breathing Novice', minXp: 50 },
  { level: 3, title: 'Calm Coder', minXp: 150 },
  { level: 4, title: 'Zen Developer', minXp: 300 },
  { level: 5, title: 'Mindful Master', minXp: 500 },
  { level: 6, title: 'Breathing Sage', minXp: 750 },
  { level: 7, title: 'Code Mystic', minXp: 1000 },
  { level: 8, title: 'Breath Master', minXp: 1500 },
];

const FIRST = LEVELS[0] as Level;

export interface LevelProgress {
  readonly level: number;
  readonly title: string;
  readonly xp: number;
  /** The next level, or undefined at the top level. */
  readonly next: Level | undefined;
  /** XP still needed for the next level (0 at the top). */
  readonly xpToNext: number;
  /** 0..1 through the current level (1 at the top). */
  readonly progress: number;
}

function sanitizeXp(xp: number): number {
  return Number.isFinite(xp) && xp > 0 ? Math.floor(xp) : 0;
}

/** The level reached with `xp` total XP (negative or non-finite XP counts as 0). */
export function levelForXp(xp: number): Level {
  const total = sanitizeXp(xp);
  let found = FIRST;
  for (const level of LEVELS) if (total >= level.minXp) found = level;
  return found;
}

export function levelProgress(xp: number): LevelProgress {
  const total = sanitizeXp(xp);
  const current = levelForXp(total);
  const next = LEVELS.find((l) => l.level === current.level + 1);
  if (!next) return { level: current.level, title: current.title, xp: total, next: undefined, xpToNext: 0, progress: 1 };
  const span = next.minXp - current.minXp;
  return {
    level: current.level,
    title: current.title,
    xp: total,
    next,
    xpToNext: next.minXp - total,
    progress: (total - current.minXp) / span,
  };
}

/**
 * Default session goal in minutes by level: short sessions while the habit forms, longer ones with practice.
 * (The issue leaves the table open; 5/5/10/10/15/15/20/20.)
 */
const DEFAULT_GOALS = [5, 5, 10, 10, 15, 15, 20, 20] as const;

export function defaultGoalMinutes(xp: number): number {
  return DEFAULT_GOALS[levelForXp(xp).level - 1] ?? 5;
}
