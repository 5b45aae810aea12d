import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fake, StatusBarAlignment, type FakeStatusBarItem } from './fake-vscode';
import { BreathingStatusBar, BREATHING_ITEM_ID } from '../../../src/vscode/breathingStatusBar';
import { PROGRESS_ITEM_ID, ProgressStatusBar } from '../../../src/vscode/progressStatusBar';
import { amplitudeGlyph, breathText, FIGURE_SPACE } from '../../../src/vscode/breathingText';
import { readSettings, type Settings } from '../../../src/vscode/settings';

const base = (): Settings => ({ ...readSettings(), breathingEnabled: true, pattern: 'boxing', preset: 'default' });
const F = FIGURE_SPACE;

describe('breathing status bar', () => {
  beforeEach(() => {
    fake.reset();
    vi.useFakeTimers();
    vi.setSystemTime(0); // epoch-aligned: t = 0 is the start of a cycle
  });
  afterEach(() => vi.useRealTimers());

  /** Every text the item shows while `ms` pass, and how often text was assigned. */
  function watch(ms: number): { texts: string[]; sets: number } {
    const item = fake.statusBarItem(BREATHING_ITEM_ID);
    const before = item?.sets.text ?? 0;
    const texts: string[] = [item?.text ?? ''];
    for (let t = 0; t < ms; t += 10) {
      vi.advanceTimersByTime(10);
      const text = item?.text ?? '';
      if (texts.at(-1) !== text) texts.push(text);
    }
    return { texts, sets: (item?.sets.text ?? 0) - before };
  }

  it('shows phase icon, phase name, bar and seconds left, and follows the breath as time passes', () => {
    const bar = new BreathingStatusBar(base(), () => undefined);
    const item = fake.statusBarItem(BREATHING_ITEM_ID);
    expect(item?.visible).toBe(true);
    expect(item?.command).toBe('breathMaster.toggle');
    expect(item?.text).toBe('$(arrow-up) Inhale ▁ 4s');
    vi.advanceTimersByTime(4_500); // boxing 4-4-4-4: half a second into the hold after inhaling
    expect(item?.text).toBe(`$(circle-filled) Hold${F}${F} █ 4s`);
    vi.advanceTimersByTime(3_600);
    expect(item?.text).toMatch(/^\$\(arrow-down\) Exhale . 4s$/);
    expect(item?.accessibilityInformation?.label).toContain('Exhale');
    expect(String(item?.tooltip)).toContain('boxing 4-4-4-4');
    bar.dispose();
  });

  it('redraws only when the text changes: one timer, no fixed interval, no assignment that changes nothing', () => {
    let wakeups = 0;
    const bar = new BreathingStatusBar({ ...base(), pattern: 'chill' }, () => undefined, () => { wakeups++; return Date.now(); });
    expect(vi.getTimerCount()).toBe(1);
    wakeups = 0;
    const { texts, sets } = watch(14_000); // one chill cycle, 6 s in, 8 s out
    // It woke up only to draw something new (a fixed 250 ms interval would wake 56 times).
    expect(wakeups).toBe(sets);
    // Each assignment showed something new, once a second: the countdown (14 whole seconds), the bar moving with it.
    expect(sets).toBe(texts.length - 1);
    expect(sets).toBe(14);
    // The bar still breathes: it rises through the in-breath and falls through the out-breath.
    const levels = texts.map((t) => '▁▂▃▄▅▆▇█'.indexOf(t.split(' ')[2] ?? ''));
    const rising = levels.slice(0, 6);
    const falling = levels.slice(6, 14);
    expect(rising).toEqual([...rising].sort((x, y) => x - y));
    expect(falling).toEqual([...falling].sort((x, y) => y - x));
    expect(rising[0]).toBe(0);
    expect(rising[5]).toBe(7);
    expect(new Set(levels).size).toBeGreaterThanOrEqual(6);
    expect(vi.getTimerCount()).toBe(1);
    bar.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps its width: every text of a cycle has the same number of characters', () => {
    const bar = new BreathingStatusBar({ ...base(), pattern: 'relaxing' }, () => undefined); // 4-7-8-0
    // Codicons render as one icon each: count them as one character.
    const width = (t: string) => [...t.replace(/\$\([a-z-]+\)/g, 'I')].length;
    const { texts } = watch(19_000);
    expect(new Set(texts.map(width)).size).toBe(1);
    bar.updateSettings({ ...base(), pattern: 'custom', customPattern: '12-0-3-0' });
    const second = watch(15_000).texts;
    expect(second.some((t) => t.includes(`${F}3s`))).toBe(true); // "3" padded to the width of "12"
    expect(new Set(second.map(width)).size).toBe(1);
    bar.dispose();
  });

  it("its change of width from phase to phase moves no other status bar item (the UI font is proportional)", () => {
    // VS Code's layout: the left group starts at the left edge, the right group ends at the right edge; in each,
    // a higher priority stands further left. An item without a priority has 0.
    type Slot = Pick<FakeStatusBarItem, 'id' | 'alignment' | 'priority'>;
    const layout = (items: Slot[], width: (id: string) => number): Map<string, number> => {
      const x = new Map<string, number>();
      const group = (a: StatusBarAlignment) => items.filter((i) => i.alignment === a).sort((p, q) => (q.priority ?? 0) - (p.priority ?? 0));
      let left = 0;
      for (const i of group(StatusBarAlignment.Left)) { x.set(i.id, left); left += width(i.id); }
      const right = group(StatusBarAlignment.Right);
      let at = 1600 - right.reduce((sum, i) => sum + width(i.id), 0);
      for (const i of right) { x.set(i.id, at); at += width(i.id); }
      return x;
    };
    const bar = new BreathingStatusBar(base(), () => undefined);
    const progress = new ProgressStatusBar();
    const ours = fake.statusBarItems.filter((i) => i.id === BREATHING_ITEM_ID || i.id === PROGRESS_ITEM_ID);
    expect(ours).toHaveLength(2);
    // Other extensions' items with the priorities extensions use (none, small, large) and VS Code's own.
    const others: Slot[] = [];
    for (const alignment of [StatusBarAlignment.Left, StatusBarAlignment.Right]) {
      for (const priority of [undefined, -100, 0, 99, 100, 100.5, 1_000, 1e9]) others.push({ id: `other ${alignment} ${priority}`, alignment, priority });
    }
    // Measured in VS Code's UI font: "Inhale" 101.4 px, "Exhale" 104.9 px (the whole item).
    const at = (breathWidth: number) => layout([...ours, ...others], (id) => (id === BREATHING_ITEM_ID ? breathWidth : 60));
    const inhale = at(101.4);
    const exhale = at(104.9);
    for (const item of [...others, { id: PROGRESS_ITEM_ID }]) expect({ id: item.id, x: exhale.get(item.id) }).toEqual({ id: item.id, x: inhale.get(item.id) });
    // The progress item stays right beside the breath, as before: no other item between them.
    const order = [...inhale.entries()].sort((p, q) => p[1] - q[1]).map(([id]) => id);
    expect(order.indexOf(PROGRESS_ITEM_ID)).toBe(order.indexOf(BREATHING_ITEM_ID) + 1);
    bar.dispose();
    progress.dispose();
  });

  it('windows breathe in step: the phase comes from the clock, not from when a window opened; each window follows its own settings', () => {
    // Two windows, opened 7.3 s apart. What "in step" means (and no more): the same pattern shows the same phase
    // at the same instant. A settings change reaches each window when VS Code delivers it to that window (at once
    // in desktop VS Code; code-server re-reads its settings file later), and each follows it from that moment.
    const a = new BreathingStatusBar({ ...base(), pattern: 'chill' }, () => undefined);
    vi.advanceTimersByTime(7_300);
    const b = new BreathingStatusBar({ ...base(), pattern: 'chill' }, () => undefined);
    const [itemA, itemB] = fake.statusBarItems.filter((i) => i.id === BREATHING_ITEM_ID);
    for (let t = 0; t < 30_000; t += 250) {
      vi.advanceTimersByTime(250);
      expect(itemB?.text).toBe(itemA?.text);
    }
    a.updateSettings({ ...base(), pattern: 'boxing' }); // the change reached window A only
    expect(a.currentPattern.name).toBe('boxing');
    expect(b.currentPattern.name).toBe('chill');
    b.updateSettings({ ...base(), pattern: 'boxing' }); // and now window B: in step again at once
    for (let t = 0; t < 20_000; t += 250) {
      vi.advanceTimersByTime(250);
      expect(itemB?.text).toBe(itemA?.text);
    }
    a.dispose();
    b.dispose();
  });

  it('click toggles: paused shows a resumable item and draws nothing at all', () => {
    const bar = new BreathingStatusBar(base(), () => undefined);
    const item = fake.statusBarItem(BREATHING_ITEM_ID);
    expect(bar.toggle()).toBe(false);
    expect(item?.text).toBe('$(debug-pause) Breathe');
    expect(vi.getTimerCount()).toBe(0);
    const sets = { ...item?.sets };
    vi.advanceTimersByTime(60_000);
    expect(item?.sets).toEqual(sets);
    expect(bar.toggle()).toBe(true);
    expect(item?.text).toMatch(/Inhale|Hold|Exhale/);
    expect(vi.getTimerCount()).toBe(1);
    bar.dispose();
    expect(vi.getTimerCount()).toBe(0);
    expect(item?.disposed).toBe(true);
  });

  it('an unfocused window shows the phase only and redraws once per phase', () => {
    const bar = new BreathingStatusBar({ ...base(), pattern: 'chill' }, () => undefined, Date.now, false);
    const item = fake.statusBarItem(BREATHING_ITEM_ID);
    expect(item?.text).toBe('$(arrow-up) Inhale');
    const { texts, sets } = watch(27_000); // almost two cycles: exhale, inhale, exhale
    expect(sets).toBe(3);
    expect(texts).toEqual(['$(arrow-up) Inhale', '$(arrow-down) Exhale', '$(arrow-up) Inhale', '$(arrow-down) Exhale']);
    expect(item?.sets.tooltip).toBe(4); // set at the start, then with each phase only
    bar.setFocused(true);
    expect(item?.text).toMatch(/^\$\(arrow-down\) Exhale . \ds$/);
    bar.dispose();
  });

  it('shows once and never re-shows while visible', () => {
    const bar = new BreathingStatusBar(base(), () => undefined);
    const item = fake.statusBarItem(BREATHING_ITEM_ID);
    watch(10_000);
    bar.updateSettings({ ...base(), preset: 'minimal' });
    expect(item?.sets.show).toBe(1);
    bar.dispose();
  });

  it('applies settings live: disabled hides (no timer), presets change the look', () => {
    const bar = new BreathingStatusBar(base(), () => undefined);
    const item = fake.statusBarItem(BREATHING_ITEM_ID);
    bar.updateSettings({ ...base(), breathingEnabled: false });
    expect(item?.visible).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    bar.updateSettings({ ...base(), preset: 'minimal' });
    expect(item?.visible).toBe(true);
    expect(item?.text).toBe('$(arrow-up) 4');
    bar.updateSettings({ ...base(), preset: 'nature' });
    expect(item?.text).toBe('🌱 Inhale 4s');
    bar.dispose();
  });

  it('a broken custom pattern warns once and breathes the fallback', () => {
    const warnings: string[] = [];
    const bar = new BreathingStatusBar({ ...base(), pattern: 'custom', customPattern: '99-x' }, (w) => warnings.push(w));
    expect(bar.currentPattern.name).toBe('chill');
    bar.updateSettings({ ...base(), pattern: 'custom', customPattern: '99-x', preset: 'minimal' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('99-x');
    bar.updateSettings({ ...base(), pattern: 'custom', customPattern: '3-0-3-0' });
    expect(bar.currentPattern).toMatchObject({ name: 'custom', inhale: 3, exhale: 3 });
    expect(fake.statusBarItem(BREATHING_ITEM_ID)?.text).toMatch(/Inhale . 3s/);
    bar.dispose();
  });

  it('formats: the amplitude glyph grows with the breath; names are padded to the longest', () => {
    expect(amplitudeGlyph(0)).toBe('▁');
    expect(amplitudeGlyph(1)).toBe('█');
    expect(amplitudeGlyph(Number.NaN)).toBe('▁');
    expect(breathText({ phase: 'hold', label: 'Hold', secondsLeft: 2, amplitude: 1, patternName: 'x' }, 'default')).toBe(`$(circle-filled) Hold${F}${F} █ 2s`);
  });
});
