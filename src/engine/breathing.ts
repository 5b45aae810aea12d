/**
 * The breathing guide: a pure function of (pattern, start, now). No timers here; the adapter redraws on its own
 * tick and asks where the breath is.
 */

export type PresetPatternName = 'chill' | 'medium' | 'active' | 'boxing' | 'relaxing';
export type PatternName = PresetPatternName | 'custom';

/** A pattern in whole seconds per step; zero-length steps are skipped. */
export interface BreathingPattern {
  readonly name: PatternName;
  readonly inhale: number;
  readonly holdIn: number;
  readonly exhale: number;
  readonly holdOut: number;
}

/** What the breath does; both holds are 'hold' (the status bar shows them the same way). */
export type BreathPhase = 'inhale' | 'hold' | 'exhale';
/** Which of the four steps of a cycle: the hold after inhaling differs from the hold after exhaling. */
export type BreathStep = 'inhale' | 'holdIn' | 'exhale' | 'holdOut';

export const PATTERNS: Readonly<Record<PresetPatternName, BreathingPattern>> = {
  chill: { name: 'chill', inhale: 6, holdIn: 0, exhale: 8, holdOut: 0 },
  medium: { name: 'medium', inhale: 5, holdIn: 0, exhale: 5, holdOut: 0 },
  active: { name: 'active', inhale: 4, holdIn: 2, exhale: 4, holdOut: 1 },
  boxing: { name: 'boxing', inhale: 4, holdIn: 4, exhale: 4, holdOut: 4 },
  relaxing: { name: 'relaxing', inhale: 4, holdIn: 7, exhale: 8, holdOut: 0 },
};

/** The order `Cycle Breathing Pattern` walks through (custom only when configured). */
export const PATTERN_ORDER: readonly PatternName[] = ['chill', 'medium', 'active', 'boxing', 'relaxing', 'custom'];

export const FALLBACK_PATTERN: BreathingPattern = PATTERNS.chill;
export const MAX_STEP_SECONDS = 60;

const STEP_LABELS: Readonly<Record<BreathStep, string>> = { inhale: 'Inhale', holdIn: 'Hold', exhale: 'Exhale', holdOut: 'Hold' };
const STEP_PHASE: Readonly<Record<BreathStep, BreathPhase>> = { inhale: 'inhale', holdIn: 'hold', exhale: 'exhale', holdOut: 'hold' };
const STEPS: readonly BreathStep[] = ['inhale', 'holdIn', 'exhale', 'holdOut'];

export type PatternResult = { pattern: BreathingPattern; warning?: undefined } | { pattern: BreathingPattern; warning: string };

/** `"4-7-8-0"` etc., for messages and tooltips. */
export function formatPattern(p: BreathingPattern): string {
  return `${p.inhale}-${p.holdIn}-${p.exhale}-${p.holdOut}`;
}

/** User text quoted safely in a message: bounded length, control characters made visible by JSON. */
function quote(value: unknown): string {
  if (typeof value !== 'string') return typeof value;
  const short = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return JSON.stringify(short);
}

function fallback(reason: string): PatternResult {
  return { pattern: FALLBACK_PATTERN, warning: `${reason}; using the ${FALLBACK_PATTERN.name} pattern (${formatPattern(FALLBACK_PATTERN)}).` };
}

const CUSTOM_SYNTAX = /^\s*(\d{1,2})\s*-\s*(\d{1,2})\s*-\s*(\d{1,2})\s*-\s*(\d{1,2})\s*$/;

/**
 * Parses a custom `"in-hold-out-hold"` pattern: four whole numbers of seconds, each 0–60, not all zero.
 * Anything else yields the fallback pattern and a warning for people; never throws.
 */
export function parseCustomPattern(text: unknown): PatternResult {
  const expected = 'expected four whole seconds 0–60 as inhale-hold-exhale-hold, not all zero, e.g. 4-7-8-0';
  if (typeof text !== 'string' || text.length > 64) return fallback(`Custom breathing pattern ${quote(text)} is not valid (${expected})`);
  const m = CUSTOM_SYNTAX.exec(text);
  if (!m) return fallback(`Custom breathing pattern ${quote(text)} is not valid (${expected})`);
  const [inhale, holdIn, exhale, holdOut] = [m[1], m[2], m[3], m[4]].map((s) => Number(s)) as [number, number, number, number];
  if ([inhale, holdIn, exhale, holdOut].some((n) => n > MAX_STEP_SECONDS)) {
    return fallback(`Custom breathing pattern ${quote(text)} has a step longer than ${MAX_STEP_SECONDS} seconds`);
  }
  if (inhale + holdIn + exhale + holdOut === 0) return fallback(`Custom breathing pattern ${quote(text)} is all zero`);
  return { pattern: { name: 'custom', inhale, holdIn, exhale, holdOut } };
}

function isPreset(name: string): name is PresetPatternName {
  return Object.prototype.hasOwnProperty.call(PATTERNS, name);
}

/** The pattern for a setting value (`breathing.pattern`), using `customText` when it is 'custom'. Never throws. */
export function resolvePattern(name: unknown, customText?: unknown): PatternResult {
  if (name === 'custom') return parseCustomPattern(customText);
  if (typeof name === 'string' && isPreset(name)) return { pattern: PATTERNS[name] };
  return fallback(`Unknown breathing pattern ${quote(name)} (expected one of ${PATTERN_ORDER.join(', ')})`);
}

/** The pattern after `name` in PATTERN_ORDER (wrapping around; unknown names start over). */
export function nextPatternName(name: unknown, includeCustom = true): PatternName {
  const order = includeCustom ? PATTERN_ORDER : PATTERN_ORDER.filter((n) => n !== 'custom');
  const i = order.indexOf(name as PatternName);
  return order[(i + 1) % order.length] ?? 'chill';
}

/** Length of one full cycle in ms. */
export function cycleMs(p: BreathingPattern): number {
  return (p.inhale + p.holdIn + p.exhale + p.holdOut) * 1000;
}

/** Where the breath is at one instant. */
export interface BreathState {
  readonly phase: BreathPhase;
  readonly step: BreathStep;
  /** For people: "Inhale", "Hold", "Exhale". */
  readonly label: string;
  /** Whole seconds left in this step: at least 1 while the step lasts (a countdown 4, 3, 2, 1). */
  readonly secondsLeft: number;
  /** Exact ms left in this step, in (0, step length]. */
  readonly msLeft: number;
  /** Length of this step in ms. */
  readonly stepMs: number;
  /** 0 (lungs empty) … 1 (lungs full), eased so the motion starts and ends gently. */
  readonly amplitude: number;
  /** Completed full cycles since the start (0 before the start). */
  readonly cycles: number;
  readonly patternName: PatternName;
}

/** Cosine ease-in-out on 0..1. */
function ease(t: number): number {
  return (1 - Math.cos(Math.PI * Math.min(1, Math.max(0, t)))) / 2;
}

function stepSeconds(p: BreathingPattern, step: BreathStep): number {
  return p[step];
}

/** Trusts nothing: patterns may come from the outside; a broken one breathes the fallback. */
function usable(p: BreathingPattern): BreathingPattern {
  const ok = STEPS.every((s) => Number.isInteger(p[s]) && p[s] >= 0 && p[s] <= MAX_STEP_SECONDS) && cycleMs(p) > 0;
  return ok ? p : FALLBACK_PATTERN;
}

/** The breath `elapsedMs` after a cycle began at 0 (negative or non-finite elapsed time counts as 0). */
export function breathAtElapsed(pattern: BreathingPattern, elapsedMs: number): BreathState {
  const p = usable(pattern);
  const total = cycleMs(p);
  const elapsed = Number.isFinite(elapsedMs) && elapsedMs > 0 ? elapsedMs : 0;
  const cycles = Math.floor(elapsed / total);
  let into = elapsed - cycles * total;
  for (const step of STEPS) {
    const stepMs = stepSeconds(p, step) * 1000;
    if (stepMs === 0) continue;
    if (into < stepMs) {
      const t = into / stepMs;
      const amplitude = step === 'inhale' ? ease(t) : step === 'holdIn' ? 1 : step === 'exhale' ? 1 - ease(t) : 0;
      const msLeft = stepMs - into;
      return {
        phase: STEP_PHASE[step],
        step,
        label: STEP_LABELS[step],
        secondsLeft: Math.max(1, Math.ceil(msLeft / 1000)),
        msLeft,
        stepMs,
        amplitude,
        cycles,
        patternName: p.name,
      };
    }
    into -= stepMs;
  }
  // Unreachable for a usable pattern (into < total); kept total so floating point cannot produce undefined.
  return breathAtElapsed(p, 0);
}

/** The breath at `now` for a guide started at `startTime`. */
export function breathAt(pattern: BreathingPattern, startTime: number, now: number): BreathState {
  return breathAtElapsed(pattern, now - startTime);
}

/** Completed cycles in `elapsedMs` of breathing. */
export function completedCycles(pattern: BreathingPattern, elapsedMs: number): number {
  const total = cycleMs(usable(pattern));
  return Number.isFinite(elapsedMs) && elapsedMs > 0 ? Math.floor(elapsedMs / total) : 0;
}

/** ms from `now` until the current step ends (when the adapter's next redraw of the phase is due). */
export function msUntilNextStep(pattern: BreathingPattern, startTime: number, now: number): number {
  return breathAt(pattern, startTime, now).msLeft;
}
