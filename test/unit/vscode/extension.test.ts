import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createExtensionContext, disposeContext, fake, Uri } from './fake-vscode';
import { until, windowsOnOneFolder } from './harness';
import { PRESENCE_KEY, PROGRESS_KEY } from '../../../src/engine';
import { BREATHING_ITEM_ID } from '../../../src/vscode/breathingStatusBar';
import { activate, deactivate } from '../../../src/vscode/extension';
import { PROGRESS_ITEM_ID } from '../../../src/vscode/progressStatusBar';
import { KEEP_SIMPLE, TURN_ON, WELCOME_MESSAGE } from '../../../src/vscode/welcome';
import pkg from '../../../package.json';
import nls from '../../../package.nls.json';

const WELCOME = 'Welcome to Breath Master';
/** A manifest string: `%key%` resolved from package.nls.json, as VS Code does. */
const localized = (text: string) => text.replace(/^%(.+)%$/, (_, key: string) => (nls as Record<string, string>)[key] ?? text);
const progressItem = () => fake.statusBarItem(PROGRESS_ITEM_ID);
const breathingItem = () => fake.statusBarItem(BREATHING_ITEM_ID);
const welcomes = () => fake.messages.filter((m) => m.message === WELCOME_MESSAGE).length;

describe('activation', () => {
  const { dir, windows, open, otherWindow } = windowsOnOneFolder();

  it('registers every command of package.json, all under category "Breath Master" with the titles of the issue', async () => {
    await open();
    const contributed = pkg.contributes.commands.map((c) => ({ ...c, title: localized(c.title), category: localized(c.category) }));
    expect(Object.fromEntries(contributed.map((c) => [c.command, c.title]))).toMatchObject({
      'breathMaster.toggle': 'Toggle Breathing',
      'breathMaster.cyclePattern': 'Cycle Breathing Pattern',
      'breathMaster.startSession': 'Start Session',
      'breathMaster.pauseSession': 'Pause Session',
      'breathMaster.resumeSession': 'Resume Session',
      'breathMaster.endSession': 'End Session',
      'breathMaster.showProgress': 'Show Progress',
      'breathMaster.exportData': 'Export Data',
      'breathMaster.importData': 'Import Data',
      'breathMaster.clearData': 'Clear Data',
      'breathMaster.showWelcome': 'Show Welcome',
      'breathMaster.showStorageHealth': 'Show Storage Health',
      'breathMaster.openMenu': 'Open Menu',
    });
    expect(new Set(contributed.map((c) => c.category))).toEqual(new Set(['Breath Master']));
    for (const c of contributed) expect(fake.registeredCommands).toContain(c.command);
    expect(fake.outputChannels).toEqual(['Breath Master']);
    // Only the synced progress travels with Settings Sync (a CRDT merged on every machine: settingsSync.ts).
    expect(windowsContextSync()).toEqual(['breathMaster.syncedProgress']);
  });

  const windowsContextSync = () => windows[0]?.context.globalState.syncedKeys;

  it('activate returns before the store is opened; a command issued at once waits for it, and the promise brings the API', async () => {
    fake.setSetting('breathMaster.progress.tracking', 'on');
    const context = createExtensionContext(dir(), {});
    const activating = activate(context as never);
    // Only the breathing guide and the commands during the call: the store (records/, tmp/) is not touched yet.
    expect(existsSync(join(dir(), 'records'))).toBe(false);
    expect(breathingItem()?.visible).toBe(true);
    expect(fake.registeredCommands).toContain('breathMaster.startSession');
    const started = fake.executeCommand('breathMaster.startSession', 7);
    const api = await activating;
    windows.push({ context, api, close: async () => { await deactivate(); disposeContext(context); } });
    expect(existsSync(join(dir(), 'records'))).toBe(true);
    expect(await started).toMatchObject({ started: true, session: { goalMinutes: 7 } });
    await api.ready;
    expect(progressItem()?.visible).toBe(true);
  });

  it('shows the breath at once; the progress item stays hidden while tracking is off', async () => {
    await open();
    expect(breathingItem()?.visible).toBe(true);
    expect(breathingItem()?.text).toMatch(/^\$\((arrow-up|arrow-down|circle-filled)\) (Inhale|Hold|Exhale) . \d+s$/);
    expect(breathingItem()?.accessibilityInformation?.label).toContain('Breath Master');
    expect(progressItem()?.visible).toBe(false);
  });

  it('welcome: shown in the window that claims it, once per user; "Turn On" turns tracking on everywhere', async () => {
    await open();
    expect(welcomes()).toBe(1);
    const other = otherWindow();
    expect(await other.onboarding.claimWelcome()).toBe(false);
    fake.answerMessage(TURN_ON, WELCOME);
    await until(() => progressItem()?.visible === true, 'progress item shown after Turn On');
    expect(progressItem()?.text).toBe('$(mortar-board) Lv 1 · 0 XP · $(flame) 0');
    await until(() => fake.userSetting('breathMaster.progress.tracking') === 'on', 'the setting written too');
    await until(() => other.onboarding.progressEnabled() === true, 'the other window sees the choice');
    await windows.pop()?.close();
    expect(progressItem()).toBeUndefined();
    await open();
    expect(welcomes()).toBe(1);
  });

  it('"Keep It Simple" keeps tracking off, and Show Welcome asks again', async () => {
    await open();
    fake.answerMessage(KEEP_SIMPLE, WELCOME);
    const other = otherWindow();
    await until(() => other.onboarding.progressEnabled() === false, 'choice recorded');
    expect(progressItem()?.visible).toBe(false);
    fake.answerMessage(TURN_ON, WELCOME);
    await fake.executeCommand('breathMaster.showWelcome');
    expect(welcomes()).toBe(2);
    await until(() => progressItem()?.visible === true, 'tracking on');
  });

  it('a choice made in another window reaches this one through the store, without any setting', async () => {
    await open();
    const other = otherWindow();
    await other.onboarding.setProgressChoice('on');
    await until(() => progressItem()?.visible === true, 'progress item shown by the change feed');
    await other.onboarding.setProgressChoice('off');
    await until(() => progressItem()?.visible === false, 'hidden again');
  });

  it('settings apply live: tracking, look, breathing on/off; an explicit setting also goes to the store', async () => {
    await open();
    fake.setSetting('breathMaster.gamification.enabled', true);
    expect(progressItem()?.visible).toBe(true);
    const other = otherWindow();
    await until(() => other.onboarding.progressEnabled() === true, 'explicit setting recorded for other windows');
    fake.setSetting('breathMaster.animation.preset', 'nature');
    expect(breathingItem()?.text).toMatch(/^(🌱|🌕|🍃) (Inhale|Hold|Exhale) \d+s$/);
    fake.setSetting('breathMaster.breathing.enabled', false);
    expect(breathingItem()?.visible).toBe(false);
    fake.setSetting('breathMaster.breathing.enabled', true);
    expect(breathingItem()?.visible).toBe(true);
    fake.setSetting('breathMaster.gamification.enabled', false);
    expect(progressItem()?.visible).toBe(false);
  });

  it('toggle pauses the breath; cycle pattern moves to the next pattern in the settings', async () => {
    await open();
    await fake.executeCommand('breathMaster.toggle');
    expect(breathingItem()?.text).toBe('$(debug-pause) Breathe');
    await fake.executeCommand('breathMaster.toggle');
    expect(breathingItem()?.text).toContain('s');
    expect(await fake.executeCommand('breathMaster.cyclePattern')).toBe('medium');
    expect(fake.userSetting('breathMaster.breathing.pattern')).toBe('medium');
    expect(String(breathingItem()?.tooltip)).toContain('medium 5-0-5-0');
  });

  it('sessions: a goal argument starts at once, shared with other windows; ending elsewhere shows here', async () => {
    fake.setSetting('breathMaster.gamification.enabled', true);
    await open();
    const other = otherWindow();
    const started = await fake.executeCommand('breathMaster.startSession', 10) as { started: boolean; session: { goalMinutes: number } };
    expect(started).toMatchObject({ started: true, session: { goalMinutes: 10 } });
    expect(progressItem()?.text).toMatch(/ · 0 XP · \$\(flame\) 1 · \$\(watch\) 00:0\d$/);
    await until(() => other.tracker.session()?.goalMinutes === 10, 'the other window sees the session');
    // Starting again anywhere returns the running session.
    expect(await fake.executeCommand('breathMaster.startSession', 5)).toMatchObject({ started: false, session: { goalMinutes: 10 } });
    await fake.executeCommand('breathMaster.pauseSession');
    expect(progressItem()?.text).toMatch(/\$\(debug-pause\) 00:0\d paused$/);
    await until(() => other.tracker.session()?.state === 'paused', 'pause seen elsewhere');
    await fake.executeCommand('breathMaster.resumeSession');
    expect(progressItem()?.text).toMatch(/\$\(watch\) 00:0\d$/);
    const ended = await other.tracker.end();
    expect(ended.ended).toBe(true);
    await until(() => !/\d\d:\d\d/.test(progressItem()?.text ?? '00:00'), 'no session timer after the other window ended it');
    expect(progressItem()?.text).toBe(`$(mortar-board) Lv 1 · ${ended.xpAwarded} XP · $(flame) 1`);
    await fake.executeCommand('breathMaster.endSession');
    expect(fake.messages.at(-1)?.message).toBe('No session is running.');
  });

  it('Start Session without an argument offers goals, the level default first', async () => {
    await open();
    fake.answerNextQuickPick((items) => items[1]);
    const result = await fake.executeCommand('breathMaster.startSession') as { session: { goalMinutes: number } };
    const picked = fake.quickPicks[0]?.items ?? [];
    expect(picked[0]).toMatchObject({ label: '5 minutes', description: 'default for your level' });
    expect(result.session.goalMinutes).toBe(Number(picked[1]?.label.split(' ')[0]));
    fake.answerNextQuickPick(undefined);
    await fake.executeCommand('breathMaster.endSession');
    expect(await fake.executeCommand('breathMaster.startSession')).toBeUndefined();
  });

  it('with tracking off a running session still shows its timer, and nothing about XP', async () => {
    await open();
    await fake.executeCommand('breathMaster.startSession', 3);
    expect(progressItem()?.visible).toBe(true);
    expect(progressItem()?.text).toMatch(/^\$\(watch\) 00:0\d$/);
    await fake.executeCommand('breathMaster.endSession');
    expect(progressItem()?.visible).toBe(false);
  });

  it('export → clear (modal) → import merges the data back', async () => {
    fake.setSetting('breathMaster.gamification.enabled', true);
    await open();
    const other = otherWindow();
    await other.tracker.importData({ schemaVersion: 1, app: 'breath-master', progress: { xp: 42 }, sessions: [] });
    await until(() => progressItem()?.text.includes('42 XP') === true, 'imported XP shown');
    const file = join(dir(), '..', `${dir().split('/').pop()}-export.json`);
    onTestFinished(() => rmSync(file, { force: true }));
    fake.answerNextSaveDialog(Uri.file(file));
    await fake.executeCommand('breathMaster.exportData');
    const exported = JSON.parse(readFileSync(file, 'utf8')) as { schemaVersion: number; progress: { xp: number } };
    expect(exported).toMatchObject({ schemaVersion: 1, progress: { xp: 42 } });

    fake.answerMessage(undefined, 'Clear all Breath Master data?');
    expect(await fake.executeCommand('breathMaster.clearData')).toBe(false);
    expect(progressItem()?.text).toContain('42 XP');
    fake.answerMessage('Clear Data', 'Clear all Breath Master data?');
    expect(await fake.executeCommand('breathMaster.clearData')).toBe(true);
    expect(fake.messages.find((m) => m.message === 'Clear all Breath Master data?')?.options?.modal).toBe(true);
    expect(progressItem()?.text).toContain(' 0 XP');
    await until(() => other.tracker.snapshot().xp === 0, 'cleared for the other window too');

    fake.answerNextOpenDialog([Uri.file(file)]);
    expect(await fake.executeCommand('breathMaster.importData')).toMatchObject({ ok: true, xpBefore: 0, xpAfter: 42 });
    expect(progressItem()?.text).toContain('42 XP');
    writeFileSync(file, '{"schemaVersion": 99}');
    fake.answerNextOpenDialog([Uri.file(file)]);
    expect(await fake.executeCommand('breathMaster.importData')).toMatchObject({ ok: false });
    expect(fake.messages.at(-1)).toMatchObject({ severity: 'error' });
    expect(fake.messages.at(-1)?.message).toContain('Nothing was changed');
  });

  it('Show Progress opens one live panel with the level bar, streak and XP', async () => {
    fake.setSetting('breathMaster.gamification.enabled', true);
    await open();
    await fake.executeCommand('breathMaster.showProgress');
    await fake.executeCommand('breathMaster.showProgress');
    expect(fake.webviews).toHaveLength(1);
    const panel = fake.webviews[0];
    expect(panel?.webview.html).toContain('Level 1 · Mindful Rookie');
    expect(panel?.webview.html).toContain('role="progressbar"');
    expect(panel?.webview.html).toContain('0 XP');
    await otherWindow().tracker.importData({ schemaVersion: 1, app: 'breath-master', progress: { xp: 160 } });
    const posted = () => (panel?.webview.posted ?? []) as { type: string; level: string; xp: string }[];
    await until(() => posted().some((m) => m.level === 'Level 3 · Calm Coder'), 'panel follows the store');
    expect(posted().at(-1)).toMatchObject({ type: 'progress', xp: '160 XP', tracking: true });
    // The page is written once and updated in place: no reload, no lost scroll position.
    expect(panel?.webview.htmlSets).toBe(1);
    expect(panel?.webview.html).toMatch(/script-src 'nonce-[0-9a-f]{32}'/);
    // Hidden, the page is unloaded; shown again it starts from its first HTML and is sent the current data at once.
    const sent = posted().length;
    panel?.setVisible(false);
    panel?.setVisible(true);
    expect(posted()).toHaveLength(sent + 1);
    expect(posted().at(-1)).toMatchObject({ level: 'Level 3 · Calm Coder' });
  });

  it('Show Storage Health shows the store counters', async () => {
    await open();
    await fake.executeCommand('breathMaster.startSession', 5);
    await fake.executeCommand('breathMaster.showStorageHealth');
    const html = fake.webviews.at(-1)?.webview.html ?? '';
    expect(html).toMatch(/<th scope="row">commits \(this window\)<\/th><td>[1-9]\d*<\/td>/);
    expect(html).toContain('<th scope="row">conflicts</th>');
    expect(html).toContain('change-feed latency p50');
  });

  it('window focus makes this window the cycle counter', async () => {
    await open();
    await fake.executeCommand('breathMaster.startSession', 5);
    const other = otherWindow();
    await other.tracker.setFocused(true);
    const holder = () => (other.store.get<{ holder?: string }>(PRESENCE_KEY).payload?.holder);
    const otherId = other.store.clientId;
    await until(() => holder() === otherId, 'other window holds the lease');
    fake.setWindowFocused(true);
    await until(() => holder() !== undefined && holder() !== otherId, 'focus moved the lease here');
  });

  it('migrates the earlier version\'s globalState once, keeping XP and streak', async () => {
    fake.setSetting('breathMaster.gamification.enabled', true);
    const today = new Date().toDateString();
    const legacy = {
      'breathMaster.meditationStats': { totalXP: 320, currentStreak: 4, longestStreak: 9, todaySessionTime: 60_000, totalMeditationTime: 3_600_000, lastMeditationDate: today, sessionsToday: 1 },
      'breathMaster.onboarding': { hasSeenTour: true, gamificationOptIn: true },
    };
    await open(legacy);
    expect(progressItem()?.text).toBe('$(mortar-board) Lv 4 · 320 XP · $(flame) 4');
    // Not even for a moment does the upgraded user see their progress as gone.
    expect(progressItem()?.seen).toEqual(['$(mortar-board) Lv 4 · 320 XP · $(flame) 4']);
    expect(welcomes()).toBe(0); // they saw the old welcome
    await windows.pop()?.close();
    await open(legacy);
    expect(progressItem()?.text).toBe('$(mortar-board) Lv 4 · 320 XP · $(flame) 4');
  });

  it('level-up messages appear when the engine reports one, only if notifications are on', async () => {
    fake.setSetting('breathMaster.gamification.enabled', true);
    await open();
    const other = otherWindow();
    await other.tracker.importData({ schemaVersion: 1, app: 'breath-master', progress: { xp: 49 } });
    await until(() => progressItem()?.text.includes('49 XP') === true, 'xp seen');
    // A session whose end bonus (goal 1 min, started 61 s ago) crosses 50 XP: the ending window is told.
    await other.store.update(PROGRESS_KEY, (p: Record<string, unknown>) => ({
      ...p, session: { id: 's1', goalMinutes: 1, startedAt: Date.now() - 61_000, state: 'running', accumulatedActiveMs: 0, runningSince: Date.now() - 61_000, cycles: 0, creditedMs: 61_000, startedBy: 'x' },
    }));
    await until(() => /\d\d:\d\d/.test(progressItem()?.text ?? ''), 'session seen');
    fake.setSetting('breathMaster.display.showNotifications', false);
    await fake.executeCommand('breathMaster.endSession');
    expect(fake.messages.some((m) => m.message.includes('level 2'))).toBe(false);
    expect(progressItem()?.text).toContain('Lv 2 · 50 XP');

    fake.setSetting('breathMaster.display.showNotifications', true);
    await other.tracker.importData({ schemaVersion: 1, app: 'breath-master', progress: { xp: 149 } });
    await other.store.update(PROGRESS_KEY, (p: Record<string, unknown>) => ({
      ...p, session: { id: 's2', goalMinutes: 2, startedAt: Date.now() - 121_000, state: 'running', accumulatedActiveMs: 0, runningSince: Date.now() - 121_000, cycles: 0, creditedMs: 121_000, startedBy: 'x' },
    }));
    await until(() => progressItem()?.text.includes('149 XP') === true && /\d\d:\d\d/.test(progressItem()?.text ?? ''), 'session 2 seen');
    await fake.executeCommand('breathMaster.endSession');
    expect(fake.messages.filter((m) => m.message.includes('level 3 — Calm Coder'))).toHaveLength(1);
  });
});
