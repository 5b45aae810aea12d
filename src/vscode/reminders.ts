import * as vscode from 'vscode';
import type { ReminderCadence } from './settings';

/** Minutes between breathing-break reminders for each cadence. */
export const REMINDER_MINUTES: Record<Exclude<ReminderCadence, 'off'>, number> = { low: 120, standard: 60, high: 30 };

/** An unfocused window waits this much longer, so the window the user looks at normally gets the reminder. */
const UNFOCUSED_GRACE_MS = 2 * 60_000;
const CHECK_EVERY_MS = 60_000;
export const REMINDER_KEY = 'breathMaster.reminder';

interface ReminderRecord {
  lastAt: number;
  by: string;
}

/** The part of the store reminders need. */
export interface ReminderStore {
  readonly clientId: string;
  get<T>(key: string, defaultValue?: T): { payload: T };
  update<T>(key: string, updater: (current: T) => T, defaultValue?: T): Promise<{ payload: T }>;
}

export interface ReminderDeps {
  store: ReminderStore;
  cadence: () => ReminderCadence;
  focused: () => boolean;
  /** No reminder while a session runs: the user is already breathing. */
  sessionRunning: () => boolean;
  startSession: () => unknown;
  now?: () => number;
  log: (message: string) => void;
}

function isRecord(x: unknown): x is ReminderRecord {
  return typeof x === 'object' && x !== null && typeof (x as ReminderRecord).lastAt === 'number' && typeof (x as ReminderRecord).by === 'string';
}

/**
 * One reminder per interval for the user, not per window: the window whose compare-and-set moves `lastAt` forward
 * shows it; every other window sees the fresh `lastAt` in its updater and leaves it alone.
 */
export async function checkReminder(deps: ReminderDeps): Promise<boolean> {
  const cadence = deps.cadence();
  if (cadence === 'off' || deps.sessionRunning()) return false;
  const now = (deps.now ?? Date.now)();
  const interval = REMINDER_MINUTES[cadence] * 60_000 + (deps.focused() ? 0 : UNFOCUSED_GRACE_MS);
  const me = deps.store.clientId;
  // The cached record answers "not due yet" without a write, so idle windows do not churn the change feed.
  const cached = deps.store.get<unknown>(REMINDER_KEY, null).payload;
  if (isRecord(cached) && cached.lastAt <= now && now - cached.lastAt < interval) return false;
  const result = await deps.store.update<unknown>(REMINDER_KEY, (current) => {
    // The first window ever starts the clock instead of reminding right at startup; odd data is replaced.
    if (!isRecord(current) || current.lastAt > now) return { lastAt: now, by: '' };
    return now - current.lastAt >= interval ? { lastAt: now, by: me } : current;
  }, null);
  const won = isRecord(result.payload) && result.payload.by === me && result.payload.lastAt === now;
  if (won) {
    deps.log(`breathing-break reminder shown (cadence ${cadence})`);
    void vscode.window.showInformationMessage('Time for a breathing break?', 'Start Session', 'Not now').then((choice) => {
      if (choice === 'Start Session') deps.startSession();
    });
  }
  return won;
}

/** Checks once a minute; the check itself is cheap (one compare-and-set that usually changes nothing). */
export function scheduleReminders(deps: ReminderDeps): vscode.Disposable {
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
