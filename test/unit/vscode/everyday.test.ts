import { rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { fake, Uri, window } from './fake-vscode';
import { until, windowsOnOneFolder } from './harness';
import { PROGRESS_KEY } from '../../../src/engine';
import { PROGRESS_ITEM_ID } from '../../../src/vscode/progressStatusBar';
import { KEEP_SIMPLE, TURN_ON, WELCOME_MESSAGE } from '../../../src/vscode/welcome';
import pkg from '../../../package.json';

const progressItem = () => fake.statusBarItem(PROGRESS_ITEM_ID);
const settle = (ms = 30) => new Promise((r) => setTimeout(r, ms));

describe('what a careful user expects', () => {
  const { dir, windows, open, otherWindow } = windowsOnOneFolder();
  /** Counts every commit of any window: each one wakes all the others through the change feed. */
  const commitCounter = () => {
    const { store } = otherWindow();
    let commits = 0;
    store.onDidChange((e) => { if (e.source === 'remote') commits++; });
    return { get commits() { return commits; } };
  };

  it('focus changes with no session are not store commits, and the progress item is not re-shown', async () => {
    fake.setSetting('breathMaster.progress.tracking', 'on');
    await open();
    fake.answerMessage(undefined, 'Welcome');
    await settle();
    const counter = commitCounter();
    const item = progressItem();
    const shows = item?.sets.show ?? 0;
    const texts = item?.sets.text ?? 0;
    for (let i = 0; i < 10; i++) {
      fake.setWindowFocused(i % 2 === 0);
      await settle(5);
    }
    await settle(200);
    expect(counter.commits).toBe(0);
    expect(item?.sets.show).toBe(shows);
    expect(item?.sets.text).toBe(texts);
    expect(shows).toBe(1);
  });

  it('goal reached: one message in the counting window, End Session ends it everywhere', async () => {
    fake.setSetting('breathMaster.progress.tracking', 'on');
    await open();
    const other = otherWindow();
    // A session of 1 minute that has just run 61 s (its cycles credited up to now): the next tick reaches the goal.
    await other.store.update(PROGRESS_KEY, (p: Record<string, unknown>) => ({
      ...p, session: { id: 'g1', goalMinutes: 1, startedAt: Date.now() - 61_000, state: 'running', accumulatedActiveMs: 0, runningSince: Date.now() - 61_000, cycles: 0, creditedMs: 56_000, startedBy: 'x' },
    }));
    fake.answerMessage('End Session', 'reached your goal');
    await until(() => fake.messages.some((m) => m.message.includes('reached your goal of 1 minute')), 'goal message', 5_000);
    const goal = fake.messages.filter((m) => m.message.includes('reached your goal'));
    expect(goal).toHaveLength(1);
    expect(goal[0]).toMatchObject({ severity: 'info', items: ['End Session', 'Continue'] });
    expect(goal[0]?.options?.modal).toBeFalsy();
    await until(() => other.tracker.session() === null, 'ended for the other window too');
    expect(other.tracker.snapshot().recent.at(-1)?.id).toBe('g1');
    await until(() => fake.messages.some((m) => /^Session ended: 1 min \d s of mindful breathing, \+\d+ XP\.$/.test(m.message)), 'the summary');
  });

  it('tracking off: End Session says nothing of XP, Show Progress shows no levels', async () => {
    fake.setSetting('breathMaster.progress.tracking', 'off');
    await open();
    await fake.executeCommand('breathMaster.startSession', 5);
    await fake.executeCommand('breathMaster.endSession');
    expect(fake.messages.at(-1)?.message).toMatch(/^Session ended: (\d s|0 min) of mindful breathing\.$/);
    await fake.executeCommand('breathMaster.showProgress');
    const html = fake.webviews[0]?.webview.html ?? '';
    expect(html).toMatch(/<div id="tracked" hidden>/);
    expect(html).toContain('Progress tracking is off');
    expect(progressItem()?.visible).toBe(false);
  });

  it('the tracking choice never contradicts itself: Keep It Simple after Turn On is off; resetting the setting is "not chosen"', async () => {
    await open();
    fake.answerMessage(TURN_ON, 'Welcome');
    // The choice goes to the store first (the item shows at once), then to the setting: wait for both.
    await until(() => progressItem()?.visible === true && fake.userSetting('breathMaster.progress.tracking') !== undefined, 'on');
    expect(fake.userSetting('breathMaster.progress.tracking')).toBe('on');
    fake.answerMessage(KEEP_SIMPLE, 'Welcome');
    await fake.executeCommand('breathMaster.showWelcome');
    await until(() => progressItem()?.visible === false && fake.userSetting('breathMaster.progress.tracking') !== 'on', 'off again');
    expect(fake.userSetting('breathMaster.progress.tracking')).toBe('off');
    fake.setSetting('breathMaster.progress.tracking', 'on');
    expect(progressItem()?.visible).toBe(true);
    fake.setSetting('breathMaster.progress.tracking', undefined); // "Reset Setting": back to ask
    await until(() => progressItem()?.visible === false, 'reset means not chosen, so off');
    const other = otherWindow();
    await until(() => other.onboarding.progressEnabled() === undefined, 'the store forgot the choice too');
  });

  it('a workspace value neither turns tracking on nor reaches the store; Cycle Pattern writes where the pattern is set', async () => {
    fake.setWorkspaceSetting('breathMaster.progress.tracking', 'on');
    fake.setWorkspaceSetting('breathMaster.gamification.enabled', true);
    fake.setWorkspaceSetting('breathMaster.breathing.pattern', 'boxing');
    await open();
    fake.answerMessage(undefined, 'Welcome');
    expect(progressItem()?.visible).toBe(false);
    expect(otherWindow().onboarding.progressEnabled()).toBeUndefined();
    expect(await fake.executeCommand('breathMaster.cyclePattern')).toBe('relaxing');
    expect(fake.workspaceSetting('breathMaster.breathing.pattern')).toBe('relaxing');
    expect(fake.userSetting('breathMaster.breathing.pattern')).toBeUndefined();
  });

  it('a welcome never answered is offered again by the next window; one answered never', async () => {
    await open();
    expect(fake.messages.filter((m) => m.message === WELCOME_MESSAGE)).toHaveLength(1);
    await windows.pop()?.close(); // closed before the user saw it
    fake.dismissPendingMessages();
    await open();
    expect(fake.messages.filter((m) => m.message === WELCOME_MESSAGE)).toHaveLength(2);
    fake.answerMessage(KEEP_SIMPLE, 'Welcome');
    await settle();
    await windows.pop()?.close();
    await open();
    expect(fake.messages.filter((m) => m.message === WELCOME_MESSAGE)).toHaveLength(2);
  });

  it('Export opens its save dialog in the workspace folder, else the home folder (never the root)', async () => {
    await open();
    let options: { defaultUri?: Uri } | undefined;
    const original = window.showSaveDialog;
    window.showSaveDialog = async (o?: unknown) => { options = o as { defaultUri?: Uri }; return undefined; };
    try {
      await fake.executeCommand('breathMaster.exportData');
      expect(options?.defaultUri?.fsPath).toMatch(new RegExp(`^${homedir()}/breath-master-\\d{4}-\\d{2}-\\d{2}\\.json$`));
      fake.workspaceFolders = [join(dir(), 'project')];
      await fake.executeCommand('breathMaster.exportData');
      expect(options?.defaultUri?.fsPath.startsWith(join(dir(), 'project', 'breath-master-'))).toBe(true);
    } finally {
      window.showSaveDialog = original;
    }
  });

  it('Show Storage Health is a rendered page that follows the counters live', async () => {
    await open();
    await fake.executeCommand('breathMaster.showStorageHealth');
    const panel = fake.webviews.at(-1);
    expect(panel?.viewType).toBe('breathMaster.storageHealth');
    expect(panel?.webview.html).toContain('<th scope="row">conflicts</th>');
    const commits = () => (panel?.webview.posted.at(-1) as { rows?: [string, string][] } | undefined)?.rows?.find(([n]) => n === 'commits (this window)')?.[1];
    await fake.executeCommand('breathMaster.startSession', 5);
    await until(() => Number(commits()) > 0, 'the page is sent the new counters', 3_000);
  });

  it('context keys follow the session; Pause/Resume/End are offered in the palette only when they apply', async () => {
    await open();
    expect(fake.context('breathMaster.sessionState')).toBe('none');
    await fake.executeCommand('breathMaster.startSession', 5);
    expect(fake.context('breathMaster.sessionState')).toBe('running');
    await fake.executeCommand('breathMaster.pauseSession');
    expect(fake.context('breathMaster.sessionState')).toBe('paused');
    await fake.executeCommand('breathMaster.toggle');
    expect(fake.context('breathMaster.breathingPaused')).toBe(true);
    const sets = fake.contextSets;
    await fake.executeCommand('breathMaster.showProgress');
    expect(fake.contextSets).toBe(sets); // nothing changed, nothing sent
    const palette = Object.fromEntries(pkg.contributes.menus.commandPalette.map((m) => [m.command, m.when]));
    expect(palette['breathMaster.pauseSession']).toBe('breathMaster.sessionState == running');
    expect(palette['breathMaster.resumeSession']).toBe('breathMaster.sessionState == paused');
    expect(palette['breathMaster.endSession']).toBe('breathMaster.sessionState == running || breathMaster.sessionState == paused');
  });

  it('keybindings: one two-step chord prefix for every action (ctrl+alt+b alone is VS Code\'s secondary side bar)', () => {
    const keys = pkg.contributes.keybindings;
    const byCommand = Object.fromEntries(keys.map((k) => [k.command, k]));
    for (const c of ['breathMaster.startSession', 'breathMaster.pauseSession', 'breathMaster.resumeSession', 'breathMaster.endSession']) {
      expect(byCommand[c]?.key).toMatch(/^ctrl\+alt\+shift\+b [a-z]$/);
      expect(byCommand[c]?.mac).toMatch(/^cmd\+alt\+shift\+b [a-z]$/);
    }
    expect(new Set(keys.map((k) => k.key)).size).toBe(keys.length);
    expect(pkg.extensionKind).toEqual(['ui', 'workspace']);
  });

  it('an import file over 2 MB is refused before it is read into the store', async () => {
    await open();
    const file = join(dir(), '..', `${dir().split('/').pop()}-big.json`);
    onTestFinished(() => rmSync(file, { force: true }));
    writeFileSync(file, JSON.stringify({ app: 'breath-master', schemaVersion: 1, progress: { xp: 1 }, pad: 'x'.repeat(2_100_000) }));
    fake.answerNextOpenDialog([Uri.file(file)]);
    expect(await fake.executeCommand('breathMaster.importData')).toMatchObject({ ok: false, error: 'The file is too large to be a Breath Master export.' });
  });
});
