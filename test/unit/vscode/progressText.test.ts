import { describe, expect, it } from 'vitest';
import { localDateTime, renderProgressHtml } from '../../../src/vscode/progressPanel';
import { formatDuration, progressAccessibilityLabel, progressText, progressTooltip, sessionOnlyText, type ProgressView } from '../../../src/vscode/progressText';
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

  it('plurals are whole messages: "1 day", "4 days" (never "1 days")', () => {
    expect(progressAccessibilityLabel(view({ streak: 1 }))).toMatch(/streak 1 day\./);
    expect(progressAccessibilityLabel(view({ streak: 4 }))).toMatch(/streak 4 days\./);
    expect(progressTooltip(view({ streak: 1 }))).toContain('Streak: 1 day (longest 9)');
  });

  it('with tracking off the progress page shows sessions without levels or XP', () => {
    const html = renderProgressHtml(view(), [{ id: 'a', startedAt: 0, endedAt: 60_000, goalMinutes: 1, activeMs: 60_000, cycles: 4, bonusXp: 1 }], false);
    expect(html).toMatch(/<div id="tracked" hidden>/);
    expect(html).not.toContain('<td>5 XP</td>');
    expect(html).not.toContain('<th>Earned</th>');
    expect(html).toContain('Progress tracking is off');
  });

  it('dates of recent sessions follow the display language', () => {
    const t = new Date(2024, 5, 10, 9, 5).getTime();
    expect(localDateTime(t, 'en-US')).toBe(new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' }).format(t));
    expect(localDateTime(t, 'de')).toContain('10.06.2024');
  });

  it('tooltip says what is missing to the next level, or that the top is reached', () => {
    expect(progressTooltip(view())).toContain('113 XP to Zen Developer');
    expect(progressTooltip(view({ xpToNext: undefined, nextTitle: undefined }))).toContain('Top level reached');
  });

  it('the progress page escapes what it shows; its only script is the nonce\'d one of the CSP', () => {
    const html = renderProgressHtml(view({ levelTitle: '<img src=x onerror=alert(1)>' }), [
      { id: 'a', startedAt: 0, endedAt: 60_000, goalMinutes: 1, activeMs: 60_000, cycles: 4, bonusXp: 1 },
    ], true);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img');
    const nonce = /script-src 'nonce-([0-9a-f]+)'/.exec(html)?.[1];
    expect(nonce).toBeTruthy();
    expect(html.match(/<script/gi)).toHaveLength(1);
    expect(html).toContain(`<script nonce="${nonce}">`);
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
