/**
 * BREATH_MASTER_TEST_MINUTE_MS, the e2e tests' short session minute: read only from the environment, a whole number
 * of ms from 1000 to 60000; unset or anything else, the real minute — and with the real minute nothing changes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cycleMs, endBonus, MeditationTracker, PATTERNS, type SessionView } from '../../../src/engine';
import { TEST_MINUTE_ENV, testMinuteMs } from '../../../src/vscode/testHooks';
import { FakeClock, FakeStoreHub } from '../engine/fakeStore';

const trackers: MeditationTracker[] = [];
afterEach(() => {
  for (const t of trackers.splice(0)) t.dispose();
});

describe('testMinuteMs', () => {
  it('is undefined (the real minute) when the variable is unset or not a whole number of ms from 1000 to 60000', () => {
    expect(testMinuteMs({})).toBeUndefined();
    for (const raw of ['', ' ', 'abc', '10s', '-5000', '5000.5', '1e4', '999', '0', '60001', '600000']) {
      expect(testMinuteMs({ [TEST_MINUTE_ENV]: raw }), raw).toBeUndefined();
    }
  });

  it('is the number of ms when it is one', () => {
    expect(testMinuteMs({ [TEST_MINUTE_ENV]: '1000' })).toBe(1000);
    expect(testMinuteMs({ [TEST_MINUTE_ENV]: ' 15000 ' })).toBe(15_000);
    expect(testMinuteMs({ [TEST_MINUTE_ENV]: '60000' })).toBe(60_000);
  });

  it('reads process.env by default (unset in the unit tests)', () => {
    expect(process.env[TEST_MINUTE_ENV]).toBeUndefined();
    expect(testMinuteMs()).toBeUndefined();
  });

  it('is named nowhere in the extension\'s settings (never user-visible)', async () => {
    const { readFileSync } = await import('node:fs');
    expect(readFileSync('package.json', 'utf8')).not.toMatch(/TEST_MINUTE|minuteMs/i);
  });
});

describe('a tracker with a short minute', () => {
  async function goalAfter(minuteMs: number | undefined): Promise<{ reachedAtMs: number; bonus: number | undefined }> {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const t = new MeditationTracker(hub.open('a'), { clock, pattern: PATTERNS.chill, ...(minuteMs !== undefined ? { minuteMs } : {}) });
    trackers.push(t);
    const heard: SessionView[] = [];
    t.onDidReachGoal((s) => heard.push(s));
    await t.setFocused(true);
    await t.start(1);
    let elapsed = 0;
    while (heard.length === 0 && elapsed < 120_000) {
      clock.advance(1000);
      elapsed += 1000;
      await t.tick();
    }
    const end = await t.end();
    return { reachedAtMs: elapsed, bonus: end.summary?.bonusXp };
  }

  it('reaches a 1-minute goal after minuteMs and pays the full end bonus then', async () => {
    expect(await goalAfter(10_000)).toEqual({ reachedAtMs: 10_000, bonus: endBonus(60_000, 1) });
  });

  it('without it, the minute is 60 s as before', async () => {
    expect(await goalAfter(undefined)).toEqual({ reachedAtMs: 60_000, bonus: 1 });
    expect(endBonus(30_000, 1)).toBe(endBonus(30_000, 1, 60_000));
    expect(cycleMs(PATTERNS.chill)).toBe(14_000);
  });
});
