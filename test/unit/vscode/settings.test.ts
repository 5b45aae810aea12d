import { beforeEach, describe, expect, it } from 'vitest';
import { fake } from './fake-vscode';
import { migrateTrackingSetting, readSettings, SettingsWatcher } from '../../../src/vscode/settings';
import pkg from '../../../package.json';

const properties = pkg.contributes.configuration.properties as Record<string, { default?: unknown }>;

describe('settings', () => {
  beforeEach(() => {
    fake.reset();
    fake.loadDefaults(properties);
  });

  it('reads the defaults declared in package.json', () => {
    const problems: string[] = [];
    expect(readSettings(problems)).toEqual({
      breathingEnabled: true, pattern: 'chill', customPattern: '4-4-4-4', preset: 'default',
      tracking: 'ask', showNotifications: true, reminderCadence: 'standard', syncProgress: true,
    });
    expect(problems).toEqual([]);
  });

  it('declares every setting, progress tracking a tri-state ("ask" by default), per-user ones application-scoped', () => {
    expect(Object.keys(properties).sort()).toEqual([
      'breathMaster.animation.preset', 'breathMaster.animation.tickMs', 'breathMaster.breathing.customPattern',
      'breathMaster.breathing.enabled', 'breathMaster.breathing.pattern', 'breathMaster.display.showNotifications',
      'breathMaster.gamification.enabled', 'breathMaster.goals.dailyMinutes', 'breathMaster.goals.weeklySummary', 'breathMaster.progress.sync', 'breathMaster.progress.tracking',
      'breathMaster.reminders.cadence', 'breathMaster.sessions.goalChime',
    ]);
    const p = properties as Record<string, { default?: unknown; scope?: string; enum?: string[]; type?: string; markdownDeprecationMessage?: string; deprecationMessage?: string }>;
    expect(p['breathMaster.progress.tracking']).toMatchObject({ default: 'ask', enum: ['ask', 'on', 'off'], scope: 'application' });
    for (const key of ['breathMaster.progress.tracking', 'breathMaster.progress.sync', 'breathMaster.gamification.enabled', 'breathMaster.display.showNotifications', 'breathMaster.reminders.cadence', 'breathMaster.goals.dailyMinutes', 'breathMaster.goals.weeklySummary', 'breathMaster.sessions.goalChime']) {
      expect(p[key]?.scope, key).toBe('application');
    }
    expect(p['breathMaster.animation.tickMs']).toMatchObject({ type: 'integer' });
    expect(p['breathMaster.animation.tickMs']?.markdownDeprecationMessage).toBeTruthy();
    expect(p['breathMaster.gamification.enabled']?.deprecationMessage).toBeTruthy();
  });

  it('the tracking setting: on/off/ask at user level; the old boolean counts until moved; workspace values never', () => {
    expect(readSettings().tracking).toBe('ask');
    fake.setSetting('breathMaster.gamification.enabled', true);
    expect(readSettings().tracking).toBe('on');
    fake.setSetting('breathMaster.gamification.enabled', false);
    expect(readSettings().tracking).toBe('off');
    fake.setSetting('breathMaster.progress.tracking', 'on');
    expect(readSettings().tracking).toBe('on');
    fake.setWorkspaceSetting('breathMaster.progress.tracking', 'off');
    fake.setWorkspaceSetting('breathMaster.gamification.enabled', false);
    expect(readSettings().tracking).toBe('on');
  });

  it('moves a user-level gamification.enabled to progress.tracking once, and removes it', async () => {
    fake.setSetting('breathMaster.gamification.enabled', true);
    expect(await migrateTrackingSetting()).toBe(true);
    expect(fake.userSetting('breathMaster.progress.tracking')).toBe('on');
    expect(fake.userSetting('breathMaster.gamification.enabled')).toBeUndefined();
    expect(await migrateTrackingSetting()).toBe(false);
    // An explicit new value is kept; the old one is still removed.
    fake.setSetting('breathMaster.progress.tracking', 'off');
    fake.setSetting('breathMaster.gamification.enabled', true);
    expect(await migrateTrackingSetting()).toBe(true);
    expect(fake.userSetting('breathMaster.progress.tracking')).toBe('off');
  });

  it('falls back with a warning on hand-edited values of the wrong type, never throws; tickMs is only noted', () => {
    fake.setSetting('breathMaster.breathing.enabled', 'yes');
    fake.setSetting('breathMaster.animation.preset', 'disco');
    fake.setSetting('breathMaster.animation.tickMs', 'fast');
    fake.setSetting('breathMaster.reminders.cadence', 7);
    fake.setSetting('breathMaster.progress.tracking', true);
    const problems: string[] = [];
    const s = readSettings(problems);
    expect(s).toMatchObject({ breathingEnabled: true, preset: 'default', reminderCadence: 'standard', tracking: 'ask' });
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toContain('breathMaster.animation.preset');
    expect(problems.join('\n')).toContain('tickMs no longer has an effect');
  });

  it('the watcher fires with fresh values on a breathMaster change, and not for other sections', () => {
    const warnings: string[] = [];
    const watcher = new SettingsWatcher((w) => warnings.push(w));
    const seen: string[] = [];
    watcher.onDidChange((s) => seen.push(s.preset));
    fake.setSetting('editor.fontSize', 20);
    fake.setSetting('breathMaster.animation.preset', 'nature');
    expect(seen).toEqual(['nature']);
    expect(watcher.current.preset).toBe('nature');
    fake.setSetting('breathMaster.animation.preset', 'bogus');
    expect(watcher.current.preset).toBe('default');
    expect(warnings).toHaveLength(1);
    watcher.dispose();
    fake.setSetting('breathMaster.animation.preset', 'minimal');
    expect(seen).toEqual(['nature', 'default']);
  });
});
