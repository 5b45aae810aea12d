import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fake } from './fake-vscode';
import { newestRecordFile, openWindow, overwrite, resetFake, tempStorage, type Window } from './harness';
import { PROGRESS_KEY, ONBOARDING_KEY } from '../../../src/engine';
import { StorageWrapper } from '@breath-master/store';
import { BREATHING_ITEM_ID } from '../../../src/vscode/breathingStatusBar';
import { PROGRESS_ITEM_ID } from '../../../src/vscode/progressStatusBar';
import pkg from '../../../package.json';

describe('bad data never breaks activation', () => {
  let storage: ReturnType<typeof tempStorage>;
  let window: Window | undefined;
  beforeEach(() => {
    resetFake();
    storage = tempStorage();
  });
  afterEach(async () => {
    await window?.close();
    window = undefined;
    fake.dismissPendingMessages();
    storage.cleanup();
  });

  const seed = async (key: string, value: unknown) => {
    const store = new StorageWrapper({ globalStoragePath: storage.dir });
    await store.set(key, value);
    store.dispose();
  };
  const allCommandsRegistered = () => pkg.contributes.commands.every((c) => fake.registeredCommands.includes(c.command));

  it('an unreadable progress record: a clear warning, the breath works, and sessions carry on from what was readable', async () => {
    fake.setSetting('breathMaster.gamification.enabled', true);
    await seed(PROGRESS_KEY, { schema: 1, xp: 77 });
    overwrite(newestRecordFile(storage.dir, PROGRESS_KEY), '{"version": 1, "payload": {"xp": 7');
    window = await openWindow(storage.dir);
    expect(fake.statusBarItem(BREATHING_ITEM_ID)?.visible).toBe(true);
    expect(allCommandsRegistered()).toBe(true);
    const warning = fake.messages.find((m) => m.severity === 'warning');
    expect(warning?.message).toContain('could not read (progress)');
    expect(fake.logs.some((l) => l.level === 'warn' && l.message.includes('unreadable'))).toBe(true);
    expect(await fake.executeCommand('breathMaster.startSession', 5)).toMatchObject({ started: true });
    expect(fake.statusBarItem(PROGRESS_ITEM_ID)?.text).toMatch(/ 0 XP · .* \$\(watch\) 00:0\d$/);
  });

  it('odd but readable data (wrong shapes) is named, and the engine works from defaults', async () => {
    fake.setSetting('breathMaster.gamification.enabled', true);
    await seed(PROGRESS_KEY, 'hello');
    await seed(ONBOARDING_KEY, [1, 2, 3]);
    window = await openWindow(storage.dir);
    expect(fake.messages.find((m) => m.severity === 'warning')?.message).toContain('progress, welcome choice');
    expect(fake.statusBarItem(PROGRESS_ITEM_ID)?.text).toBe('$(mortar-board) Lv 1 · 0 XP · $(flame) 0');
  });

  it('odd legacy globalState values are ignored without a fuss', async () => {
    window = await openWindow(storage.dir, { 'breathMaster.meditationStats': 'garbage', 'breathMaster.onboarding': 42 });
    expect(fake.statusBarItem(BREATHING_ITEM_ID)?.visible).toBe(true);
    expect(fake.messages.filter((m) => m.severity !== 'info')).toEqual([]);
  });

  it('a storage folder that cannot be created: an error message, commands still answer, breathing works', async () => {
    const blocked = join(storage.dir, 'not-a-folder');
    writeFileSync(blocked, 'a file where the storage folder should be');
    window = await openWindow(join(blocked, 'globalStorage'));
    expect(fake.statusBarItem(BREATHING_ITEM_ID)?.visible).toBe(true);
    expect(allCommandsRegistered()).toBe(true);
    // The store opens read-only; the first write (the welcome's claim) fails and the user is told once.
    expect(fake.messages.filter((m) => m.severity === 'error').map((m) => m.message)).toEqual([expect.stringMatching(/cannot save its data .*breathing guide works/)]);
    expect(await fake.executeCommand('breathMaster.startSession', 5)).toBeUndefined();
    expect(fake.messages.at(-1)).toMatchObject({ severity: 'error', message: expect.stringContaining('startSession failed') });
    await fake.executeCommand('breathMaster.showStorageHealth');
    expect(fake.webviews.at(-1)?.webview.html).toContain('<th scope="row">commits (this window)</th><td>0</td>');
    await fake.executeCommand('breathMaster.toggle');
    expect(fake.statusBarItem(BREATHING_ITEM_ID)?.text).toBe('$(debug-pause) Breathe');
  });

  it('hand-edited settings of the wrong type fall back and are logged, not thrown', async () => {
    fake.setSetting('breathMaster.animation.tickMs', 'fast');
    fake.setSetting('breathMaster.breathing.pattern', 'custom');
    fake.setSetting('breathMaster.breathing.customPattern', '100-0-0-0');
    window = await openWindow(storage.dir);
    expect(fake.statusBarItem(BREATHING_ITEM_ID)?.visible).toBe(true);
    expect(String(fake.statusBarItem(BREATHING_ITEM_ID)?.tooltip)).toContain('chill 6-0-8-0');
    expect(fake.logs.filter((l) => l.level === 'warn').map((l) => l.message).join('\n')).toMatch(/tickMs[\s\S]*100-0-0-0/);
  });
});
