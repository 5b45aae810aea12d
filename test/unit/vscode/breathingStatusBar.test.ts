import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fake } from './fake-vscode';
import { BreathingStatusBar, BREATHING_ITEM_ID } from '../../../src/vscode/breathingStatusBar';
import { amplitudeGlyph, breathText } from '../../../src/vscode/breathingText';
import { readSettings, type Settings } from '../../../src/vscode/settings';

const base = (): Settings => ({ ...readSettings(), breathingEnabled: true, pattern: 'boxing', preset: 'default', tickMs: 250 });

describe('breathing status bar', () => {
  let now = 0;
  beforeEach(() => {
    fake.reset();
    vi.useFakeTimers();
    now = 0; // epoch-aligned: t = 0 is the start of a cycle
  });
  afterEach(() => vi.useRealTimers());

  it('shows phase icon, phase name and seconds left, and follows the breath as time passes', () => {
    const bar = new BreathingStatusBar(base(), () => undefined, () => now);
    const item = fake.statusBarItem(BREATHING_ITEM_ID);
    expect(item?.visible).toBe(true);
    expect(item?.command).toBe('breathMaster.toggle');
    expect(item?.text).toMatch(/^\$\(arrow-up\) Inhale . 4s$/);
    now = 4_500; // boxing 4-4-4-4: half a second into the hold after inhaling
    vi.advanceTimersByTime(250);
    expect(item?.text).toMatch(/^\$\(circle-filled\) Hold █ 4s$/);
    now = 8_100;
    vi.advanceTimersByTime(250);
    expect(item?.text).toMatch(/^\$\(arrow-down\) Exhale . 4s$/);
    expect(item?.accessibilityInformation?.label).toContain('Exhale');
    expect(String(item?.tooltip)).toContain('boxing 4-4-4-4');
    bar.dispose();
  });

  it('click toggles: paused shows a resumable item and stops redrawing', () => {
    const bar = new BreathingStatusBar(base(), () => undefined, () => now);
    const item = fake.statusBarItem(BREATHING_ITEM_ID);
    expect(bar.toggle()).toBe(false);
    expect(item?.text).toBe('$(debug-pause) Breathe');
    expect(vi.getTimerCount()).toBe(0);
    expect(bar.toggle()).toBe(true);
    expect(item?.text).toContain('Inhale');
    expect(vi.getTimerCount()).toBe(1);
    bar.dispose();
    expect(vi.getTimerCount()).toBe(0);
    expect(item?.disposed).toBe(true);
  });

  it('applies settings live: disabled hides, preset and tick change', () => {
    const bar = new BreathingStatusBar(base(), () => undefined, () => now);
    const item = fake.statusBarItem(BREATHING_ITEM_ID);
    bar.updateSettings({ ...base(), breathingEnabled: false });
    expect(item?.visible).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    bar.updateSettings({ ...base(), preset: 'minimal' });
    expect(item?.visible).toBe(true);
    expect(item?.text).toBe('$(arrow-up) 4');
    bar.updateSettings({ ...base(), preset: 'nature' });
    expect(item?.text).toBe('🌱 Inhale 4s');
    bar.updateSettings({ ...base(), tickMs: 1000 });
    now = 1_200;
    vi.advanceTimersByTime(999);
    expect(item?.text).toContain(' 4s');
    vi.advanceTimersByTime(1);
    expect(item?.text).toContain(' 3s');
    bar.dispose();
  });

  it('a broken custom pattern warns once and breathes the fallback', () => {
    const warnings: string[] = [];
    const bar = new BreathingStatusBar({ ...base(), pattern: 'custom', customPattern: '99-x' }, (w) => warnings.push(w), () => now);
    expect(bar.currentPattern.name).toBe('chill');
    bar.updateSettings({ ...base(), pattern: 'custom', customPattern: '99-x', preset: 'minimal' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('99-x');
    bar.updateSettings({ ...base(), pattern: 'custom', customPattern: '3-0-3-0' });
    expect(bar.currentPattern).toMatchObject({ name: 'custom', inhale: 3, exhale: 3 });
    expect(fake.statusBarItem(BREATHING_ITEM_ID)?.text).toMatch(/Inhale . 3s/);
    bar.dispose();
  });

  it('formats: the amplitude glyph grows with the breath', () => {
    expect(amplitudeGlyph(0)).toBe('▁');
    expect(amplitudeGlyph(1)).toBe('█');
    expect(amplitudeGlyph(Number.NaN)).toBe('▁');
    expect(breathText({ phase: 'hold', label: 'Hold', secondsLeft: 2, amplitude: 1, patternName: 'x' }, 'default')).toBe('$(circle-filled) Hold █ 2s');
  });
});
