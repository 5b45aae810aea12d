import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fake } from './fake-vscode';
import { StorageWrapper } from '@breath-master/store';
import { checkReminder, REMINDER_MINUTES, type ReminderDeps } from '../../../src/vscode/reminders';

/** Two windows' stores on one fresh folder, for each test of the calling `describe`. */
function twoWindows(): () => [StorageWrapper, StorageWrapper] {
  let dir = '';
  let stores: [StorageWrapper, StorageWrapper] | undefined;
  beforeEach(() => {
    fake.reset();
    dir = mkdtempSync(join(tmpdir(), 'bm-remind-'));
    stores = [new StorageWrapper({ globalStoragePath: dir }), new StorageWrapper({ globalStoragePath: dir })];
  });
  afterEach(async () => {
    await Promise.all((stores ?? []).map((s) => s.dispose()));
    rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (stores === undefined) throw new Error('twoWindows() is used inside a test');
    return stores;
  };
}

describe('breathing-break reminders', () => {
  const stores = twoWindows();

  const deps = (store: StorageWrapper, now: number, over: Partial<ReminderDeps> = {}): ReminderDeps => ({
    store, since: 0, now: () => now, cadence: () => 'standard', focused: () => true, sessionRunning: () => false,
    startSession: () => undefined, log: () => undefined, ...over,
  });
  const hour = REMINDER_MINUTES.standard * 60_000;

  it('does not remind at startup, then reminds once per interval in only one of two windows', async () => {
    const [a, b] = stores();
    const t0 = 1_000_000;
    const opened = { since: t0 };
    expect(await checkReminder(deps(a, t0, opened))).toBe(false);
    expect(await checkReminder(deps(b, t0 + hour - 1, opened))).toBe(false);
    const results = await Promise.all([checkReminder(deps(a, t0 + hour, opened)), checkReminder(deps(b, t0 + hour, opened))]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(fake.messages.filter((m) => m.message.startsWith('Time for a breathing break'))).toHaveLength(1);
    // The next one is an interval after the last reminder, not after startup.
    expect(await checkReminder(deps(b, t0 + hour + hour / 2))).toBe(false);
    expect(await checkReminder(deps(b, t0 + 2 * hour))).toBe(true);
  });

  it('writes nothing until a reminder is due: the first one is timed from the window\'s start, not by a stored clock', async () => {
    const [a, b] = stores();
    for (const t of [0, 60_000, hour / 2, hour - 1]) {
      expect(await checkReminder(deps(a, t))).toBe(false);
      expect(await checkReminder(deps(b, t, { focused: () => false }))).toBe(false);
    }
    expect(a.getMetrics().commits + b.getMetrics().commits).toBe(0);
    expect(a.get('breathMaster.reminder').version).toBe(0);
    expect(await checkReminder(deps(a, hour))).toBe(true);
    expect(a.getMetrics().commits).toBe(1);
  });

  it('a window opened long after the last reminder waits an interval from its own start', async () => {
    const [a, b] = stores();
    expect(await checkReminder(deps(a, hour))).toBe(true);
    await b.refresh();
    const later = { since: 5 * hour };
    expect(await checkReminder(deps(b, 5 * hour + 60_000, later))).toBe(false);
    expect(await checkReminder(deps(b, 6 * hour, later))).toBe(true);
  });

  it('an unfocused window leaves the reminder to the focused one for a grace period', async () => {
    const [a, b] = stores();
    await checkReminder(deps(a, 0));
    expect(await checkReminder(deps(b, hour, { focused: () => false }))).toBe(false);
    expect(await checkReminder(deps(a, hour + 1, { focused: () => true }))).toBe(true);
  });

  it('stays quiet when off or while a session runs', async () => {
    const [a] = stores();
    await checkReminder(deps(a, 0));
    expect(await checkReminder(deps(a, 10 * hour, { cadence: () => 'off' }))).toBe(false);
    expect(await checkReminder(deps(a, 10 * hour, { sessionRunning: () => true }))).toBe(false);
    expect(fake.messages).toHaveLength(0);
  });

  it('replaces odd stored data instead of failing', async () => {
    const [a] = stores();
    await a.set('breathMaster.reminder', { lastAt: 'yesterday' });
    expect(await checkReminder(deps(a, 5))).toBe(false);
    expect(await checkReminder(deps(a, 5 + hour))).toBe(true);
  });

  it('"Start Session" on the reminder starts a session', async () => {
    const [a] = stores();
    let started = 0;
    await checkReminder(deps(a, 0));
    fake.answerMessage('Start Session', 'breathing break');
    await checkReminder(deps(a, hour, { startSession: () => started++ }));
    await new Promise((r) => setImmediate(r));
    expect(started).toBe(1);
  });
});

describe('reminder actions and quiet times', () => {
  const stores = twoWindows();
  const hour = REMINDER_MINUTES.standard * 60_000;
  const deps = (store: StorageWrapper, now: number, over: Partial<ReminderDeps> = {}): ReminderDeps => ({
    store, since: 0, now: () => now, cadence: () => 'standard', focused: () => true, sessionRunning: () => false,
    startSession: () => undefined, log: () => undefined, ...over,
  });
  const settle = () => new Promise((r) => setTimeout(r, 20));

  it('is a plain information message with Snooze 1 h and Turn Off, never modal', async () => {
    const [a] = stores();
    await checkReminder(deps(a, 0));
    await checkReminder(deps(a, hour));
    const shown = fake.messages.find((m) => m.message === 'Time for a breathing break?');
    expect(shown).toMatchObject({ severity: 'info', items: ['Start Session', 'Snooze 1 h', 'Turn Off'] });
    expect(shown?.options?.modal).toBeFalsy();
  });

  it('Snooze 1 h silences every window for an hour', async () => {
    const [a, b] = stores();
    await checkReminder(deps(a, 0));
    fake.answerMessage('Snooze 1 h', 'breathing break');
    expect(await checkReminder(deps(a, hour))).toBe(true);
    await settle();
    await b.refresh();
    // Every 30 min would be due 45 min later; the snooze holds it back until the hour is over.
    const high = { cadence: () => 'high' as const };
    expect(await checkReminder(deps(b, hour + 45 * 60_000, high))).toBe(false);
    expect(await checkReminder(deps(b, 2 * hour + 1, high))).toBe(true);
  });

  it('Turn Off sets reminders.cadence to off for the user', async () => {
    const [a] = stores();
    await checkReminder(deps(a, 0));
    fake.answerMessage('Turn Off', 'breathing break');
    await checkReminder(deps(a, hour));
    await settle();
    expect(fake.userSetting('breathMaster.reminders.cadence')).toBe('off');
  });

  it('never during a debug session', async () => {
    const [a] = stores();
    await checkReminder(deps(a, 0));
    fake.activeDebugSession = { id: 'debugging' };
    expect(await checkReminder(deps(a, 3 * hour))).toBe(false);
    fake.activeDebugSession = undefined;
    expect(await checkReminder(deps(a, 3 * hour))).toBe(true);
  });
});
