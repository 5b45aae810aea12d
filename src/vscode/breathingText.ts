import * as vscode from 'vscode';
import type { AnimationPreset } from './settings';

/** What the status bar needs to know about the breath at one instant (from the engine's breathing function). */
export interface BreathView {
  /** 'inhale' | 'hold' | 'exhale' — the second hold of a cycle is also 'hold'. */
  phase: 'inhale' | 'hold' | 'exhale';
  /** The phase's name for people, e.g. "Inhale". */
  label: string;
  /** Whole seconds left in this phase (at least 1 while the phase lasts). */
  secondsLeft: number;
  /** 0 (lungs empty) … 1 (lungs full), eased. */
  amplitude: number;
  patternName: string;
}

const CODICONS: Record<BreathView['phase'], string> = { inhale: '$(arrow-up)', hold: '$(circle-filled)', exhale: '$(arrow-down)' };
// Nature: a sprout grows on the in-breath, the full moon rests, a leaf drifts on the out-breath.
const NATURE: Record<BreathView['phase'], string> = { inhale: '🌱', hold: '🌕', exhale: '🍃' };
const LEVELS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/** U+2007 FIGURE SPACE: as wide as a digit, so padded numbers and names keep the item's width. */
export const FIGURE_SPACE = '\u2007';

/** One block whose height follows the breath, so the item visibly breathes between the second ticks. */
export function amplitudeGlyph(amplitude: number): string {
  const a = Number.isFinite(amplitude) ? Math.min(1, Math.max(0, amplitude)) : 0;
  return LEVELS[Math.min(LEVELS.length - 1, Math.floor(a * LEVELS.length))] ?? '▁';
}

/** The phase names, translated once. */
export function phaseLabel(phase: BreathView['phase']): string {
  switch (phase) {
    case 'inhale': return vscode.l10n.t('Inhale');
    case 'hold': return vscode.l10n.t('Hold');
    default: return vscode.l10n.t('Exhale');
  }
}

/**
 * `text` padded with figure spaces to `width` characters. In VS Code's proportional UI font that only evens the
 * width out roughly ("Inhale" and "Exhale" still differ by a few pixels); that the status bar does not jump is the
 * item's place's doing (see BREATHING_ALIGNMENT in breathingStatusBar.ts).
 */
export function padTo(text: string, width: number): string {
  return text.length >= width ? text : text + FIGURE_SPACE.repeat(width - text.length);
}

export interface BreathTextOptions {
  /** Unfocused windows show the phase only (redrawn once per phase, not every second). */
  focused: boolean;
  /** Digits of the longest step of the pattern (1 or 2): the countdown is padded to it. */
  secondsWidth: number;
}

function labelWidth(): number {
  return Math.max(phaseLabel('inhale').length, phaseLabel('hold').length, phaseLabel('exhale').length);
}

/**
 * Status bar text: the phase icon, the phase name, a bar and the seconds left (minimal: icon and seconds only).
 * Every name and number is padded to the widest of its kind (the same number of characters in every phase), and
 * what changes every second (the bar, the countdown) comes last, at the item's fixed right end.
 */
export function breathText(view: BreathView, preset: AnimationPreset, options: BreathTextOptions = { focused: true, secondsWidth: 1 }): string {
  const label = padTo(view.label, labelWidth());
  const seconds = String(view.secondsLeft).padStart(options.secondsWidth, FIGURE_SPACE);
  switch (preset) {
    case 'minimal':
      return options.focused ? `${CODICONS[view.phase]} ${seconds}` : CODICONS[view.phase];
    case 'nature':
      return options.focused ? `${NATURE[view.phase]} ${label} ${seconds}s` : `${NATURE[view.phase]} ${label}`;
    default:
      return options.focused ? `${CODICONS[view.phase]} ${label} ${amplitudeGlyph(view.amplitude)} ${seconds}s` : `${CODICONS[view.phase]} ${label}`;
  }
}

/** What a screen reader says. Without the countdown: it changes with the phase, not every tick, so it is not noise. */
export function breathAccessibilityLabel(view: BreathView): string {
  return vscode.l10n.t('Breath Master: {0}, {1} pattern. Activate to pause the breathing guide.', view.label, view.patternName);
}

export function pausedText(): string {
  return `$(debug-pause) ${vscode.l10n.t('Breathe')}`;
}
