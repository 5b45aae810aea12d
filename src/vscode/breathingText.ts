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

/** One block whose height follows the breath, so the item visibly breathes between the second ticks. */
export function amplitudeGlyph(amplitude: number): string {
  const a = Number.isFinite(amplitude) ? Math.min(1, Math.max(0, amplitude)) : 0;
  return LEVELS[Math.min(LEVELS.length - 1, Math.floor(a * LEVELS.length))] ?? '▁';
}

/** Status bar text: the phase icon, the phase name and the seconds left (minimal: icon and seconds only). */
export function breathText(view: BreathView, preset: AnimationPreset): string {
  switch (preset) {
    case 'minimal':
      return `${CODICONS[view.phase]} ${view.secondsLeft}`;
    case 'nature':
      return `${NATURE[view.phase]} ${view.label} ${view.secondsLeft}s`;
    default:
      return `${CODICONS[view.phase]} ${view.label} ${amplitudeGlyph(view.amplitude)} ${view.secondsLeft}s`;
  }
}

/** What a screen reader says. Without the countdown: it changes with the phase, not every tick, so it is not noise. */
export function breathAccessibilityLabel(view: BreathView): string {
  return `Breath Master: ${view.label}, ${view.patternName} pattern. Activate to pause the breathing guide.`;
}

export const PAUSED_TEXT = '$(debug-pause) Breathe';
