import { beforeEach, describe, expect, it } from 'vitest';
import { fake } from './fake-vscode';
import { readSettings, SettingsWatcher, TICK_MS } from '../../../src/vscode/settings';
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
      breathingEnabled: true, pattern: 'chill', customPattern: '4-4-4-4', preset: 'default', tickMs: TICK_MS.default,
      gamificationExplicit: undefined, showNotifications: true, reminderCadence: 'standard',
    });
    expect(problems).toEqual([]);
  });

  it('declares every setting of the issue, progress tracking off by default', () => {
    expect(Object.keys(properties).sort()).toEqual([
      'breathMaster.animation.preset', 'breathMaster.animation.tickMs', 'breathMaster.breathing.customPattern',
      'breathMaster.breathing.enabled', 'breathMaster.breathing.pattern', 'breathMaster.display.showNotifications',
      'breathMaster.gamification.enabled', 'breathMaster.reminders.cadence',
    ]);
    expect(properties['breathMaster.gamification.enabled']?.default).toBe(false);
  });

  it('sees an explicit gamification choice, including an explicit false', () => {
    fake.setSetting('breathMaster.gamification.enabled', false);
    expect(readSettings().gamificationExplicit).toBe(false);
    fake.setSetting('breathMaster.gamification.enabled', true);
    expect(readSettings().gamificationExplicit).toBe(true);
  });

  it('falls back with a warning on hand-edited values of the wrong type, never throws', () => {
    fake.setSetting('breathMaster.breathing.enabled', 'yes');
    fake.setSetting('breathMaster.animation.preset', 'disco');
    fake.setSetting('breathMaster.animation.tickMs', 'fast');
    fake.setSetting('breathMaster.reminders.cadence', 7);
    fake.setSetting('breathMaster.gamification.enabled', 'on');
    const problems: string[] = [];
    const s = readSettings(problems);
    expect(s).toMatchObject({ breathingEnabled: true, preset: 'default', tickMs: TICK_MS.default, reminderCadence: 'standard', gamificationExplicit: undefined });
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toContain('breathMaster.animation.preset');
  });

  it('clamps the animation tick to a sensible range', () => {
    fake.setSetting('breathMaster.animation.tickMs', 1);
    expect(readSettings().tickMs).toBe(TICK_MS.min);
    fake.setSetting('breathMaster.animation.tickMs', 10_000_000);
    expect(readSettings().tickMs).toBe(TICK_MS.max);
    fake.setSetting('breathMaster.animation.tickMs', 333.4);
    expect(readSettings().tickMs).toBe(333);
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
