import * as vscode from 'vscode';
import { SECTION, type ReminderCadence } from './settings';

/** Minutes between breathing-break reminders for each cadence. */
export const REMINDER_MINUTES: Record<Exclude<ReminderCadence, 'off'>, number> = { low: 120, standard: 60, high: 30 };

/** An unfocused window waits this much longer, so the window the user looks at normally gets the reminder. */
const UNFOCUSED_GRACE_MS = 2 * 60_000;
const CHECK_EVERY_MS = 60_000;
export const REMINDER_KEY = 'breathMaster.reminder';

export const SNOOZE_MS = 60 * 60_000;

interface ReminderRecord {
  lastAt: number;
  by: string;
  /** Snooze 1 h, chosen in any window, holds for all of them. */
  snoozedUntil?: number;
}

/** The part of the store reminders need. */
export interface ReminderStore {
  readonly clientId: string;
  get<T>(key: string, defaultValue?: T): { payload: T };
  update<T>(key: string, updater: (current: T) => T, defaultValue?: T): Promise<{ payload: T }>;
}

export interface ReminderDeps {
  store: ReminderStore;
  /**
   * When this window started watching (its activation): no reminder comes sooner than an interval after it. With
   * nothing stored yet this is the whole clock, so nothing is written until the first reminder is due.
   */
  since: number;
  cadence: () => ReminderCadence;
  focused: () => boolean;
  /** No reminder while a session runs (a paused one does not count): the user is already breathing. */
  sessionRunning: () => boolean;
  /** No reminder during a debug session: it would land in the middle of the user's concentration. */
  debugging?: () => boolean;
  startSession: () => unknown;
  /** Turn Off: sets `reminders.cadence` to off for the user (default: the user setting). */
  turnOff?: () => Thenable<unknown> | unknown;
  now?: () => number;
  log: (message: string) => void;
}

function isRecord(x: unknown): x is ReminderRecord {
  return typeof x === 'object' && x !== null && typeof (x as ReminderRecord).lastAt === 'number' && typeof (x as ReminderRecord).by === 'string';
}

/** Whether a reminder is due at `now` by `record` (any stored value): never sooner than an interval after `since`. */
function due(record: unknown, now: number, since: number, interval: number): boolean {
  if (isRecord(record) && record.snoozedUntil !== undefined && now < record.snoozedUntil) return false;
  // A record from the future (a clock that was ahead) or odd data counts as no record.
  const last = isRecord(record) && record.lastAt <= now ? Math.max(record.lastAt, since) : since;
  return now - last >= interval;
}

/**
 * One reminder per interval for the user, not per window: the window whose compare-and-set moves `lastAt` forward
 * shows it; every other window sees the fresh `lastAt` in its updater and leaves it alone. Nothing is written
 * before a reminder is due: the first one is timed from the window's start, so there is no "start the clock" write.
 */
export async function checkReminder(deps: ReminderDeps): Promise<boolean> {
  const cadence = deps.cadence();
  if (cadence === 'off' || deps.sessionRunning() || (deps.debugging ?? isDebugging)()) return false;
  const now = (deps.now ?? Date.now)();
  const interval = REMINDER_MINUTES[cadence] * 60_000 + (deps.focused() ? 0 : UNFOCUSED_GRACE_MS);
  const me = deps.store.clientId;
  // The cached record answers "not due yet" without a write, so idle windows do not churn the change feed.
  if (!due(deps.store.get<unknown>(REMINDER_KEY, null).payload, now, deps.since, interval)) return false;
  const result = await deps.store.update<unknown>(REMINDER_KEY, (current) => (due(current, now, deps.since, interval) ? { lastAt: now, by: me } : current), null);
  const won = isRecord(result.payload) && result.payload.by === me && result.payload.lastAt === now;
  if (won) {
    deps.log(`breathing-break reminder shown (cadence ${cadence})`);
    const start = vscode.l10n.t('Start Session');
    const snooze = vscode.l10n.t('Snooze 1 h');
    const off = vscode.l10n.t('Turn Off');
    // A plain information message, never modal: Do Not Disturb hides it, and it asks for nothing.
    void vscode.window.showInformationMessage(vscode.l10n.t('Time for a breathing break?'), start, snooze, off).then(async (choice) => {
      if (choice === start) deps.startSession();
      else if (choice === snooze) await snoozeReminders(deps.store, (deps.now ?? Date.now)());
      else if (choice === off) await (deps.turnOff ?? turnOffReminders)();
    }).then(undefined, (e: unknown) => deps.log(`reminder action failed: ${String(e)}`));
  }
  return won;
}

function isDebugging(): boolean {
  return vscode.debug?.activeDebugSession !== undefined;
}

/** Snooze 1 h: no reminder in any window until then (the next one comes an interval after the snooze ends at the earliest). */
export async function snoozeReminders(store: ReminderStore, now: number): Promise<void> {
  await store.update<unknown>(REMINDER_KEY, (current) => {
    const base = isRecord(current) ? current : { lastAt: now, by: '' };
    return { ...base, snoozedUntil: now + SNOOZE_MS };
  }, null);
}

export async function turnOffReminders(): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update('reminders.cadence', 'off', vscode.ConfigurationTarget.Global);
}

/**
 * Checks once a minute from now on (this window's start is `since`); a check that is not due reads the cached
 * record only: no write, no message to the workbench.
 */
export function scheduleReminders(options: Omit<ReminderDeps, 'since'>): vscode.Disposable {
  const deps: ReminderDeps = { ...options, since: (options.now ?? Date.now)() };
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    checkReminder(deps)
      .catch((e: unknown) => deps.log(`reminder check failed: ${String(e)}`))
      .finally(() => { running = false; });
  }, CHECK_EVERY_MS);
  return { dispose: () => clearInterval(timer) };
}
