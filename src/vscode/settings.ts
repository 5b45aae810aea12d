import * as vscode from 'vscode';

export const SECTION = 'breathMaster';

export type AnimationPreset = 'default' | 'minimal' | 'nature';
export type ReminderCadence = 'off' | 'low' | 'standard' | 'high';

/** The `breathMaster.*` settings, read and checked once per change. */
export interface Settings {
  readonly breathingEnabled: boolean;
  /** A pattern name as written by the user; the engine decides what it means (and warns about unknown ones). */
  readonly pattern: string;
  readonly customPattern: string;
  readonly preset: AnimationPreset;
  readonly tickMs: number;
  /**
   * `gamification.enabled` only when the user set it explicitly (user, workspace or folder level), else undefined.
   * Undefined means "follow the choice kept in the store", which every window sees at once (settings do not).
   */
  readonly gamificationExplicit: boolean | undefined;
  readonly showNotifications: boolean;
  readonly reminderCadence: ReminderCadence;
}

export const TICK_MS = { default: 250, min: 50, max: 2000 } as const;
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

  let tickMs: number = TICK_MS.default;
  const rawTick = config.get<unknown>('animation.tickMs');
  if (typeof rawTick === 'number' && Number.isFinite(rawTick)) {
    tickMs = Math.min(TICK_MS.max, Math.max(TICK_MS.min, Math.round(rawTick)));
    if (tickMs !== rawTick) problems.push(`${SECTION}.animation.tickMs must be between ${TICK_MS.min} and ${TICK_MS.max}; using ${tickMs}`);
  } else if (rawTick !== undefined) {
    problems.push(`${SECTION}.animation.tickMs should be a number of milliseconds; using ${TICK_MS.default}`);
  }

  const inspected = config.inspect<unknown>('gamification.enabled');
  const explicit = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
  let gamificationExplicit: boolean | undefined;
  if (typeof explicit === 'boolean') gamificationExplicit = explicit;
  else if (explicit !== undefined) problems.push(`${SECTION}.gamification.enabled should be true or false; ignoring it`);

  return {
    breathingEnabled: bool('breathing.enabled', true),
    pattern: text('breathing.pattern', 'chill'),
    customPattern: text('breathing.customPattern', '4-4-4-4'),
    preset: oneOf('animation.preset', PRESETS, 'default'),
    tickMs,
    gamificationExplicit,
    showNotifications: bool('display.showNotifications', true),
    reminderCadence: oneOf('reminders.cadence', CADENCES, 'standard'),
  };
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
