import * as vscode from 'vscode';
import { breathAt, formatPattern, resolvePattern, type BreathingPattern } from '../engine/breathing';
import { breathAccessibilityLabel, breathText, pausedText, phaseLabel, type BreathView } from './breathingText';
import type { Settings } from './settings';

export const BREATHING_ITEM_ID = 'breathMaster.breathing';

/**
 * Where the item sits: the leftmost item of the status bar's right-hand group. Its text cannot keep one width from
 * phase to phase in VS Code's proportional UI font ("Inhale" and "Exhale" differ by a few pixels whatever the
 * padding), and a wider or narrower item moves every item on the side its group grows towards. The right-hand
 * group is anchored at the window's right edge and grows leftwards into the free middle of the bar, so a change in
 * width of its leftmost item moves no other item, ours or another extension's. Inside the item, only the phase icon
 * and name (which change at that very instant anyway) shift; the bar and the countdown, redrawn every second, keep
 * their place because they are at its right end. The highest priority a status bar item can have puts it leftmost;
 * only an item given that same priority by another extension could stand left of it.
 */
export const BREATHING_ALIGNMENT = vscode.StatusBarAlignment.Right;
export const BREATHING_PRIORITY = Number.MAX_VALUE;

/** Never wait longer than this for the next redraw (timers drift across sleep; a redraw that changes nothing is free). */
const MAX_WAIT_MS = 60_000;

/**
 * The animated breath in the status bar. Every window breathes on the same clock (cycles counted from the epoch),
 * so several open windows show the same phase instead of a jumble. Click toggles (pauses) it in this window;
 * `breathing.enabled: false` hides it.
 *
 * Idle costs nothing: there is no fixed interval. After each redraw one timer is set for the instant the text
 * changes next (a second of the countdown, with the bar's step, or the next phase); a paused or hidden guide has no
 * timer at all, and an unfocused window shows the phase only, redrawn once per phase.
 */
export class BreathingStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pattern: BreathingPattern;
  private paused = false;
  private focused: boolean;
  private visible = false;
  private lastText = '';
  private lastLabel = '';
  private lastWarning: string | undefined;

  constructor(
    private settings: Settings,
    private readonly warn: (message: string) => void,
    private readonly now: () => number = Date.now,
    focused = true,
  ) {
    this.focused = focused;
    this.item = vscode.window.createStatusBarItem(BREATHING_ITEM_ID, BREATHING_ALIGNMENT, BREATHING_PRIORITY);
    this.item.name = vscode.l10n.t('Breath Master: Breathing');
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

  /** The window gained or lost focus: full animation when focused, the phase alone otherwise. */
  setFocused(focused: boolean): void {
    if (focused === this.focused) return;
    this.focused = focused;
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
      this.setVisible(false);
      return;
    }
    if (this.paused) {
      this.setText(pausedText());
      this.setLabel(
        vscode.l10n.t('Breath Master: breathing guide paused. Activate to resume.'),
        vscode.l10n.t('Breath Master: breathing guide paused. Click to resume.'),
      );
    } else {
      this.render();
    }
    this.setVisible(true);
  }

  private viewAt(time: number): { view: BreathView; text: string } {
    const state = breathAt(this.pattern, 0, time);
    // The bar shows the breath at the middle of the countdown's current second, so it moves with the seconds: one
    // redraw a second instead of two (each redraw is a message to the workbench and a repaint of its status bar).
    const into = state.stepMs - state.msLeft;
    const midSecond = Math.min(state.stepMs - 1, Math.floor(into / 1000) * 1000 + 500);
    const amplitude = breathAt(this.pattern, 0, time - into + midSecond).amplitude;
    const view: BreathView = { phase: state.phase, label: phaseLabel(state.phase), secondsLeft: state.secondsLeft, amplitude, patternName: state.patternName };
    const longest = Math.max(this.pattern.inhale, this.pattern.holdIn, this.pattern.exhale, this.pattern.holdOut);
    return { view, text: breathText(view, this.settings.preset, { focused: this.focused, secondsWidth: String(longest).length }) };
  }

  /** Redraws, then sets the one timer for the next visible change. */
  render(): void {
    this.stopTimer();
    const time = this.now();
    const { view, text } = this.viewAt(time);
    this.setText(text);
    this.setLabel(
      breathAccessibilityLabel(view),
      vscode.l10n.t('Breath Master — {0} ({1} {2}). Click to pause.', view.label, this.pattern.name, formatPattern(this.pattern)),
    );
    const wait = this.msUntilChange(time, text);
    this.timer = setTimeout(() => this.render(), wait);
  }

  /**
   * Milliseconds from `time` until the text differs from `text`. Within one step the countdown and the bar only
   * move one way, so "differs from now" is monotonic up to the step's next whole second: bisection finds the
   * first instant to the millisecond (about ten evaluations of a pure function).
   */
  msUntilChange(time: number, text: string): number {
    const state = breathAt(this.pattern, 0, time);
    // The countdown shows ceil(msLeft / 1000): it drops at the next whole second of msLeft, or the step ends.
    const toSecond = this.focused ? (state.msLeft % 1000 === 0 ? 1000 : state.msLeft % 1000) : state.msLeft;
    const horizon = Math.max(1, Math.min(Math.ceil(toSecond), state.msLeft > 0 ? Math.ceil(state.msLeft) : 1));
    if (this.viewAt(time + horizon).text === text) return Math.min(MAX_WAIT_MS, horizon);
    let lo = 0;
    let hi = horizon;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.viewAt(time + mid).text === text) lo = mid;
      else hi = mid;
    }
    return Math.min(MAX_WAIT_MS, hi);
  }

  private setText(text: string): void {
    if (text === this.lastText) return;
    this.lastText = text;
    this.item.text = text;
  }

  private setLabel(label: string, tooltip: string): void {
    if (label === this.lastLabel) return;
    this.lastLabel = label;
    this.item.accessibilityInformation = { label, role: 'button' };
    this.item.tooltip = tooltip;
  }

  private setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    if (visible) this.item.show();
    else this.item.hide();
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.stopTimer();
    this.item.dispose();
  }
}
