import * as vscode from 'vscode';
import { breathAt, formatPattern, resolvePattern, type BreathingPattern } from '../engine/breathing';
import { breathAccessibilityLabel, breathText, PAUSED_TEXT } from './breathingText';
import type { Settings } from './settings';

export const BREATHING_ITEM_ID = 'breathMaster.breathing';

/**
 * The animated breath in the status bar. Every window breathes on the same clock (cycles counted from the epoch),
 * so several open windows show the same phase instead of a jumble. Click toggles (pauses) it in this window;
 * `breathing.enabled: false` hides it.
 */
export class BreathingStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private timer: ReturnType<typeof setInterval> | undefined;
  private pattern: BreathingPattern;
  private paused = false;
  private lastText = '';
  private lastLabel = '';
  private lastWarning: string | undefined;

  constructor(
    private settings: Settings,
    private readonly warn: (message: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.item = vscode.window.createStatusBarItem(BREATHING_ITEM_ID, vscode.StatusBarAlignment.Left, 100);
    this.item.name = 'Breath Master: Breathing';
    this.item.command = 'breathMaster.toggle';
    this.pattern = this.resolve(settings);
    this.apply();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get currentPattern(): BreathingPattern {
    return this.pattern;
  }

  /** Pause or resume the guide in this window; returns whether it now runs. */
  toggle(): boolean {
    this.paused = !this.paused;
    this.apply();
    return !this.paused;
  }

  updateSettings(settings: Settings): void {
    this.settings = settings;
    this.pattern = this.resolve(settings);
    this.apply();
  }

  private resolve(settings: Settings): BreathingPattern {
    const result = resolvePattern(settings.pattern, settings.customPattern);
    // Warn once per distinct problem, not on every unrelated settings change.
    if (result.warning !== undefined && result.warning !== this.lastWarning) this.warn(result.warning);
    this.lastWarning = result.warning;
    return result.pattern;
  }

  private apply(): void {
    this.stopTimer();
    if (!this.settings.breathingEnabled) {
      this.item.hide();
      return;
    }
    if (this.paused) {
      this.setText(PAUSED_TEXT);
      this.item.tooltip = 'Breath Master: breathing guide paused. Click to resume.';
      this.item.accessibilityInformation = { label: 'Breath Master: breathing guide paused. Activate to resume.', role: 'button' };
    } else {
      this.render();
      this.timer = setInterval(() => this.render(), this.settings.tickMs);
    }
    this.item.show();
  }

  /** Redraws; touches the item only when something visible changed (each assignment is an IPC to the workbench). */
  render(): void {
    const state = breathAt(this.pattern, 0, this.now());
    const view = { phase: state.phase, label: state.label, secondsLeft: state.secondsLeft, amplitude: state.amplitude, patternName: state.patternName };
    this.setText(breathText(view, this.settings.preset));
    const label = breathAccessibilityLabel(view);
    if (label !== this.lastLabel) {
      this.lastLabel = label;
      this.item.accessibilityInformation = { label, role: 'button' };
      this.item.tooltip = `Breath Master — ${state.label} (${this.pattern.name} ${formatPattern(this.pattern)}). Click to pause.`;
    }
  }

  private setText(text: string): void {
    if (text === this.lastText) return;
    this.lastText = text;
    this.item.text = text;
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.lastLabel = '';
  }

  dispose(): void {
    this.stopTimer();
    this.item.dispose();
  }
}
