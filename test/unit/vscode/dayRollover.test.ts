import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextLocalMidnight, watchDayRollover } from '../../../src/vscode/dayRollover';

describe('day rollover', () => {
  afterEach(() => vi.useRealTimers());

  it('next local midnight is the start of the next calendar day', () => {
    const t = new Date(2026, 2, 28, 23, 59, 30).getTime();
    const m = new Date(nextLocalMidnight(t));
    expect([m.getFullYear(), m.getMonth(), m.getDate(), m.getHours(), m.getMinutes()]).toEqual([2026, 2, 29, 0, 0]);
  });

  it('fires once when the local day changes while open, and not before; dispose stops it', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date(2026, 5, 1, 23, 0, 0));
    let days = 0;
    const watcher = watchDayRollover(() => days++);
    vi.advanceTimersByTime(59 * 60_000);
    expect(days).toBe(0);
    vi.advanceTimersByTime(2 * 60_000 + 1_000);
    expect(days).toBe(1);
    vi.advanceTimersByTime(12 * 3600_000);
    expect(days).toBe(1);
    watcher.dispose();
    vi.advanceTimersByTime(48 * 3600_000);
    expect(days).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
