import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fake } from './fake-vscode';
import { Emitter as EventEmitter } from '@breath-master/store';
import { StorageWrapper } from '@breath-master/store';
import type { SessionSummary } from '../../../src/engine/progressRecord';
import { checkWeeklySummary, scheduleWeeklySummary, weeklySummaryText, type WeeklySummaryDeps } from '../../../src/vscode/weeklySummary';

const MIN = 60_000;
const at = (y: number, m: number, d: number, h = 12) => new Date(y, m - 1, d, h).getTime();
const history: SessionSummary[] = [
  { id: 'a', startedAt: at(2024, 6, 4, 9), endedAt: at(2024, 6, 4, 9) + 12 * MIN, goalMinutes: 10, activeMs: 12 * MIN, cycles: 0, bonusXp: 0 },
  { id: 'b', startedAt: at(2024, 6, 6, 9), endedAt: at(2024, 6, 6, 9) + 3 * MIN, goalMinutes: 10, activeMs: 3 * MIN, cycles: 0, bonusXp: 0 },
];
const MONDAY = at(2024, 6, 10, 9);
const SUMMARY = /last week/;
const summaries = () => fake.messages.filter((m) => SUMMARY.test(m.message));
const settle = () => new Promise((r) => setTimeout(r, 20));
/** Waits (up to 5 s) for a message that follows a real, fsync'd store commit: on a loaded disk that takes a while. */
async function shownWithin(count: number): Promise<void> {
  for (let waited = 0; summaries().length < count && waited < 5000; waited += 20) await settle();
}

let dir = '';
let stores: StorageWrapper[] = [];
beforeEach(() => {
  fake.reset();
  dir = mkdtempSync(join(tmpdir(), 'bm-weekly-'));
  stores = [new StorageWrapper({ globalStoragePath: dir }), new StorageWrapper({ globalStoragePath: dir })];
});
afterEach(async () => {
  await Promise.all(stores.map((s) => s.dispose()));
  rmSync(dir, { recursive: true, force: true });
});

function deps(store: StorageWrapper, over: Partial<WeeklySummaryDeps> = {}): WeeklySummaryDeps {
  return { store, sessions: () => history, tracking: () => true, focused: () => true, sessionRunning: () => false, debugging: () => false, now: () => MONDAY, log: () => undefined, ...over };
}

describe('weekly summary', () => {
  it('says how last week went, as a plain information message with Show History and Turn Off', async () => {
    const [a] = stores as [StorageWrapper];
    expect(await checkWeeklySummary(deps(a))).toBe(true);
    const [m] = summaries();
    expect(m?.severity).toBe('info');
    expect(m?.options?.modal).not.toBe(true);
    expect(m?.items).toEqual(['Show History', 'Turn Off']);
    expect(m?.message).toBe('Breath Master — last week: 15 minutes of mindful breathing in 2 sessions, on 2 days (1 at your daily goal). The week before: 0 minutes.');
    expect(weeklySummaryText({ week: '2024-06-03', ms: MIN, sessions: 1, days: 1, goalDays: 0, previousMs: 2 * MIN })).toBe(
      'Breath Master — last week: 1 minute of mindful breathing in 1 session, on 1 day (0 at your daily goal). The week before: 2 minutes.',
    );
  });

  it('appears in the focused window only, once for the week, whichever window is focused later', async () => {
    const [a, b] = stores as [StorageWrapper, StorageWrapper];
    const shown = await Promise.all([checkWeeklySummary(deps(a, { focused: () => false })), checkWeeklySummary(deps(b, { focused: () => true }))]);
    expect(shown).toEqual([false, true]);
    expect(await checkWeeklySummary(deps(a, { now: () => MONDAY + 3600_000 }))).toBe(false);
    expect(summaries()).toHaveLength(1);
    // Next week, again once.
    expect(await checkWeeklySummary(deps(a, { now: () => MONDAY + 7 * 86_400_000, sessions: () => [...history, { ...history[0]!, id: 'c', startedAt: MONDAY, endedAt: MONDAY + MIN, activeMs: MIN }] }))).toBe(true);
    expect(summaries()).toHaveLength(2);
  });

  it('two windows both believing they are focused, checking at the same instant: one message between them', async () => {
    const [a, b] = stores as [StorageWrapper, StorageWrapper];
    const shown = await Promise.all([checkWeeklySummary(deps(a)), checkWeeklySummary(deps(b))]);
    expect(shown.filter(Boolean)).toHaveLength(1);
    expect(summaries()).toHaveLength(1);
  });

  it('never during a debug session, nor during a running session; shown once the debug session ends', async () => {
    const [a] = stores as [StorageWrapper];
    fake.activeDebugSession = { id: 'debug' };
    const debugEnded = new EventEmitter<unknown>();
    const focus = new EventEmitter<boolean>();
    const schedule = scheduleWeeklySummary(deps(a, { debugging: undefined }), { onDidChangeFocus: focus.event, onDidEndDebugging: debugEnded.event });
    try {
      await settle();
      focus.fire(true);
      await settle();
      expect(summaries()).toHaveLength(0);
      expect(await checkWeeklySummary(deps(a, { sessionRunning: () => true }))).toBe(false);
      fake.activeDebugSession = undefined;
      debugEnded.fire(undefined);
      await shownWithin(1);
      expect(summaries()).toHaveLength(1);
    } finally {
      schedule.dispose();
    }
  });

  it('respects tracking off and the setting; Turn Off switches the setting off for the user', async () => {
    const [a, b] = stores as [StorageWrapper, StorageWrapper];
    expect(await checkWeeklySummary(deps(a, { tracking: () => false }))).toBe(false);
    fake.setSetting('breathMaster.goals.weeklySummary', false);
    expect(await checkWeeklySummary(deps(a))).toBe(false);
    expect(summaries()).toHaveLength(0);
    fake.setSetting('breathMaster.goals.weeklySummary', true);
    fake.answerMessage('Turn Off', SUMMARY);
    expect(await checkWeeklySummary(deps(b))).toBe(true);
    await settle();
    expect(fake.userSetting('breathMaster.goals.weeklySummary')).toBe(false);
  });

  it('Show History opens the history view', async () => {
    const [a] = stores as [StorageWrapper];
    fake.answerMessage('Show History', SUMMARY);
    expect(await checkWeeklySummary(deps(a))).toBe(true);
    await settle();
    expect(fake.executed.map((e) => e.command)).toContain('breathMaster.showHistory');
  });

  it('an unfocused window becoming focused checks then; nothing after the scheduler is disposed', async () => {
    const [a] = stores as [StorageWrapper];
    let focused = false;
    const focus = new EventEmitter<boolean>();
    const schedule = scheduleWeeklySummary(deps(a, { focused: () => focused }), { onDidChangeFocus: focus.event });
    await settle();
    expect(summaries()).toHaveLength(0);
    focused = true;
    focus.fire(true);
    await shownWithin(1);
    expect(summaries()).toHaveLength(1);
    schedule.dispose();
    focus.fire(true);
    await settle();
    expect(summaries()).toHaveLength(1);
  });
});
