/**
 * Breath Master's domain engine: pure logic over the store's API and an injected clock (no `vscode`, no `fs`).
 * The VS Code adapter wires these to the status bar, commands and notifications.
 */
export { systemClock, type Clock } from './clock';
export {
  breathAt,
  breathAtElapsed,
  completedCycles,
  cycleMs,
  FALLBACK_PATTERN,
  formatPattern,
  MAX_STEP_SECONDS,
  msUntilNextStep,
  nextPatternName,
  parseCustomPattern,
  PATTERN_ORDER,
  PATTERNS,
  resolvePattern,
  type BreathingPattern,
  type BreathPhase,
  type BreathState,
  type BreathStep,
  type PatternName,
  type PatternResult,
  type PresetPatternName,
} from './breathing';
export { defaultGoalMinutes, LEVELS, levelForXp, levelProgress, type Level, type LevelProgress } from './levels';
export { addDays, isDayBefore, isLocalDay, localDayOf, nextLocalMidnight, type LocalDay } from './calendar';
export { markMeditationDay, STREAK_MILESTONES, visibleStreak } from './streak';
export { endBonus, GOAL_CHOICES, MAX_GOAL_MINUTES, MAX_UNCOUNTED_MS, validGoalMinutes, type SessionState, type SharedSession } from './session';
export {
  HISTORY_KEY,
  HISTORY_LIMIT,
  PROGRESS_KEY,
  sessionXp,
  type HistoryRecord,
  type ProgressRecord,
  type SessionSummary,
  type Streak,
} from './progressRecord';
export { LEASE_MS, PRESENCE_KEY } from './counterLease';
export { EXPORT_SCHEMA_VERSION, type ExportedData } from './exchange';
export { LEGACY_ONBOARDING_KEY, LEGACY_STATS_KEY } from './legacy';
export {
  MeditationTracker,
  type EndResult,
  type ImportResult,
  type MeditationTrackerOptions,
  type ProgressNotification,
  type ProgressSnapshot,
  type SessionView,
  type StartResult,
} from './meditationTracker';
export {
  ONBOARDING_KEY,
  OnboardingManager,
  type OnboardingManagerOptions,
  type OnboardingState,
  type ProgressChoice,
} from './onboardingManager';
export { SESSIONS_KEY } from './sessionLog';
export type { Disposable, Event, RecordLog, RecordLogEntry, RecordStore, VersionedData } from './recordStore';

/** Store keys the engine reads and writes (for the adapter's diagnostics). */
export const ENGINE_KEYS = ['breathMaster.progress', 'breathMaster.sessions', 'breathMaster.history', 'breathMaster.presence', 'breathMaster.onboarding', 'breathMaster.sync'] as const;
