import { describe, expect, it } from 'vitest';
import { renderProgressHtml } from '../../../src/vscode/progressPanel';
import { formatDuration, progressText, progressTooltip, sessionOnlyText, type ProgressView } from '../../../src/vscode/progressText';
import { goalItems } from '../../../src/vscode/sessionCommands';
import { menuItems } from '../../../src/vscode/quickMenu';

const view = (over: Partial<ProgressView> = {}): ProgressView => ({
  xp: 187, level: 3, levelTitle: 'Calm Coder', xpToNext: 113, nextTitle: 'Zen Developer', levelProgress: 0.25,
  streak: 4, longestStreak: 9, session: undefined, ...over,
});

describe('progress texts (read by the end-to-end tests)', () => {
  it('level, `<n> XP` and streak; a session adds mm:ss only while it exists', () => {
    expect(progressText(view())).toBe('$(mortar-board) Lv 3 · 187 XP · $(flame) 4');
    expect(progressText(view({ session: { state: 'running', activeMs: 205_400, goalMinutes: 10 } }))).toBe('$(mortar-board) Lv 3 · 187 XP · $(flame) 4 · $(watch) 03:25');
    expect(progressText(view({ session: { state: 'paused', activeMs: 5_000, goalMinutes: 10 } }))).toBe('$(mortar-board) Lv 3 · 187 XP · $(flame) 4 · $(debug-pause) 00:05 paused');
    expect(sessionOnlyText({ state: 'running', activeMs: 61_000, goalMinutes: 1 })).toBe('$(watch) 01:01');
  });

  it('durations: mm:ss, h:mm:ss past an hour, never negative', () => {
    expect(formatDuration(0)).toBe('00:00');
    expect(formatDuration(59_999)).toBe('00:59');
    expect(formatDuration(3_600_000 + 62_000)).toBe('1:01:02');
    expect(formatDuration(-5)).toBe('00:00');
    expect(formatDuration(Number.NaN)).toBe('00:00');
  });

  it('tooltip says what is missing to the next level, or that the top is reached', () => {
    expect(progressTooltip(view())).toContain('113 XP to Zen Developer');
    expect(progressTooltip(view({ xpToNext: undefined, nextTitle: undefined }))).toContain('Top level reached');
  });

  it('the progress page escapes what it shows and has no scripts', () => {
    const html = renderProgressHtml(view({ levelTitle: '<img src=x onerror=alert(1)>' }), [
      { id: 'a', startedAt: 0, endedAt: 60_000, goalMinutes: 1, activeMs: 60_000, cycles: 4, bonusXp: 1 },
    ], true);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('aria-valuenow="25"');
    expect(html).toContain('<td>5 XP</td>');
  });

  it('goal quick pick: the default first, no duplicate; menu offers what fits the session', () => {
    const items = goalItems(10);
    expect(items[0]).toMatchObject({ minutes: 10, description: 'default for your level' });
    expect(items.filter((i) => i.minutes === 10)).toHaveLength(1);
    expect(menuItems(null, false)[0]?.command).toBe('breathMaster.startSession');
    const running = menuItems({ id: 's', state: 'running', goalMinutes: 5, startedAt: 0, activeMs: 1000, remainingMs: 0, progress: 0, goalReached: false, goalAnnounced: false, cycles: 0 }, false);
    expect(running.slice(0, 2).map((i) => i.command)).toEqual(['breathMaster.pauseSession', 'breathMaster.endSession']);
  });
});
