import * as vscode from 'vscode';

export const SECTION = 'breathMaster';

export type AnimationPreset = 'default' | 'minimal' | 'nature';
export type ReminderCadence = 'off' | 'low' | 'standard' | 'high';
/** `breathMaster.progress.tracking`: "ask" = not chosen yet (the welcome asks; off until then). */
export type TrackingSetting = 'ask' | 'on' | 'off';
export const TRACKING_KEY = 'progress.tracking';
/** The boolean it replaces (read once, migrated to `progress.tracking`, then removed from the user's settings). */
export const LEGACY_TRACKING_KEY = 'gamification.enabled';

/** The `breathMaster.*` settings, read and checked once per change. */
export interface Settings {
  readonly breathingEnabled: boolean;
  /** A pattern name as written by the user; the engine decides what it means (and warns about unknown ones). */
  readonly pattern: string;
  readonly customPattern: string;
  readonly preset: AnimationPreset;
  /**
   * The user's tracking setting (user level only: it is an `application` setting, so a repository's
   * `.vscode/settings.json` cannot flip tracking for every window). "ask" follows the choice kept in the store.
   */
  readonly tracking: TrackingSetting;
  readonly showNotifications: boolean;
  readonly reminderCadence: ReminderCadence;
  /** `breathMaster.progress.sync`: carry progress between machines through Settings Sync. */
  readonly syncProgress: boolean;
}

const TRACKING: readonly TrackingSetting[] = ['ask', 'on', 'off'];
const PRESETS: readonly AnimationPreset[] = ['default', 'minimal', 'nature'];
const CADENCES: readonly ReminderCadence[] = ['off', 'low', 'standard', 'high'];

/**
 * Reads the settings. Values of the wrong type (hand-edited settings.json) fall back to the defaults with a warning
 * in `problems` instead of breaking anything.
 */
export function readSettings(problems: string[] = []): Settings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const bool = (key: string, fallback: boolean): boolean => {
    const v = config.get<unknown>(key);
    if (v === undefined || typeof v === 'boolean') return v ?? fallback;
    problems.push(`${SECTION}.${key} should be true or false; using ${fallback}`);
    return fallback;
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const v = config.get<unknown>(key);
    if (v === undefined) return fallback;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    problems.push(`${SECTION}.${key} should be one of ${allowed.join(', ')}; using ${fallback}`);
    return fallback;
  };
  const text = (key: string, fallback: string): string => {
    const v = config.get<unknown>(key);
    if (v === undefined) return fallback;
    if (typeof v === 'string') return v;
    problems.push(`${SECTION}.${key} should be text; using ${fallback}`);
    return fallback;
  };

  if (config.inspect<unknown>('animation.tickMs')?.globalValue !== undefined) {
    problems.push(`${SECTION}.animation.tickMs no longer has an effect: the guide redraws only when what it shows changes`);
  }

  return {
    breathingEnabled: bool('breathing.enabled', true),
    pattern: text('breathing.pattern', 'chill'),
    customPattern: text('breathing.customPattern', '4-4-4-4'),
    preset: oneOf('animation.preset', PRESETS, 'default'),
    tracking: readTracking(config, problems),
    showNotifications: bool('display.showNotifications', true),
    reminderCadence: oneOf('reminders.cadence', CADENCES, 'standard'),
    syncProgress: bool('progress.sync', true),
  };
}

/** The user-level tracking setting; the old boolean counts while the new one is unset (until it is migrated). */
function readTracking(config: vscode.WorkspaceConfiguration, problems: string[]): TrackingSetting {
  const value = config.inspect<unknown>(TRACKING_KEY)?.globalValue;
  if (typeof value === 'string' && (TRACKING as readonly string[]).includes(value)) return value as TrackingSetting;
  if (value !== undefined) problems.push(`${SECTION}.${TRACKING_KEY} should be one of ${TRACKING.join(', ')}; using ask`);
  const legacy = config.inspect<unknown>(LEGACY_TRACKING_KEY)?.globalValue;
  if (value === undefined && typeof legacy === 'boolean') return legacy ? 'on' : 'off';
  return 'ask';
}

/**
 * Moves a user-level `gamification.enabled` (true/false) to `progress.tracking` (on/off) and removes the old one,
 * so the Settings UI shows one truth. Resolves true when it moved something. Workspace values of either are never
 * read (both are `application` settings).
 */
export async function migrateTrackingSetting(): Promise<boolean> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const legacy = config.inspect<unknown>(LEGACY_TRACKING_KEY)?.globalValue;
  if (typeof legacy !== 'boolean') return false;
  if (config.inspect<unknown>(TRACKING_KEY)?.globalValue === undefined) {
    await config.update(TRACKING_KEY, legacy ? 'on' : 'off', vscode.ConfigurationTarget.Global);
  }
  await config.update(LEGACY_TRACKING_KEY, undefined, vscode.ConfigurationTarget.Global);
  return true;
}

/**
 * Where Cycle Breathing Pattern writes: the most specific level that sets the pattern now (a folder's or the
 * workspace's value would otherwise shadow a user-level write, and the command would seem to do nothing).
 */
export function patternTarget(): vscode.ConfigurationTarget {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect<unknown>('breathing.pattern');
  if (inspected?.workspaceFolderValue !== undefined) return vscode.ConfigurationTarget.WorkspaceFolder;
  if (inspected?.workspaceValue !== undefined) return vscode.ConfigurationTarget.Workspace;
  return vscode.ConfigurationTarget.Global;
}

/** Live settings: `current` is always up to date and `onDidChange` fires after any `breathMaster.*` change. */
export class SettingsWatcher implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Settings>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;
  current: Settings;

  constructor(private readonly warn: (message: string) => void) {
    this.current = this.read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      this.current = this.read();
      this.emitter.fire(this.current);
    });
  }

  private read(): Settings {
    const problems: string[] = [];
    const settings = readSettings(problems);
    problems.forEach((p) => this.warn(p));
    return settings;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
