import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyChart } from '../../../src/engine/history';
import type { SessionSummary } from '../../../src/engine/progressRecord';
import { historyModel } from '../../../src/vscode/webviews/historyModel';

const MIN = 60_000;
const t = (text: string, ...args: unknown[]): string => text.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));
const session = (id: string, startedAt: Date, minutes: number): SessionSummary => ({
  id,
  startedAt: startedAt.getTime(),
  endedAt: startedAt.getTime() + minutes * MIN,
  goalMinutes: 20,
  activeMs: minutes * MIN + 10_000,
  cycles: 0,
  bonusXp: 0,
});

/** The recent sessions' table lives in a narrow sidebar: its rows must not break inside a duration or a goal. */
describe('the history view\'s recent sessions', () => {
  it('write a session of this year without the year, an older one with it', () => {
    const now = new Date(2026, 11, 7, 15);
    const chart = historyChart([session('a', new Date(2026, 11, 6, 14, 12), 4), session('b', new Date(2025, 11, 30, 8, 46), 25)], { now: now.getTime() });
    const [thisYear, lastYear] = historyModel(chart, t, 'en-US').recentRows;
    expect(thisYear?.[0]).not.toContain('2026');
    expect(thisYear?.[0]).toMatch(/^Dec 6, 2:12\sPM$/);
    expect(lastYear?.[0]).toContain('2025');
  });

  it('never wrap a duration or a goal (the date column takes what is left)', () => {
    const css = readFileSync(path.join(__dirname, '../../../media/webview/history.css'), 'utf8');
    expect(css).toMatch(/td:not\(:first-child\),\s*th:not\(:first-child\)\s*\{\s*white-space:\s*nowrap;/);
  });
});
