import * as vscode from 'vscode';
import type { SessionSummary } from '../engine/progressRecord';
import type { Disposable, Event, RecordStore } from '../engine/recordStore';
import { nextWeekStart, takeWeeklySummary, type WeekSummary } from '../engine/weeklySummary';
import { days, minutes } from './progressText';

/** `breathMaster.goals.weeklySummary` (application scope: one answer for every window). */
export const WEEKLY_SUMMARY_SETTING = 'goals.weeklySummary';
const SECTION = 'breathMaster';
const SHOW_HISTORY_COMMAND = 'breathMaster.showHistory';

export interface WeeklySummaryDeps {
  readonly store: RecordStore;
  /** The stored session history (the tracker's `history().sessions`). */
  readonly sessions: () => readonly SessionSummary[];
  /** Progress tracking on in this window: with it off the user asked for no progress feedback, so no summary. */
  readonly tracking: () => boolean;
  readonly focused: () => boolean;
  /** No summary in the middle of a running session: the user is breathing. */
  readonly sessionRunning: () => boolean;
  /** No summary during a debug session; default: VS Code's active debug session. */
  readonly debugging?: () => boolean;
  /** Default: `breathMaster.goals.dailyMinutes`. */
  readonly dailyGoalMinutes?: () => number;
  readonly now?: () => number;
  readonly log: (message: string) => void;
}

function sessions(n: number): string {
  return n === 1 ? vscode.l10n.t('{0} session', n) : vscode.l10n.t('{0} sessions', n);
}

export function weeklySummaryText(s: WeekSummary): string {
  return vscode.l10n.t(
    'Breath Master — last week: {0} of mindful breathing in {1}, on {2} ({3} at your daily goal). The week before: {4}.',
    minutes(Math.round(s.ms / 60_000)),
    sessions(s.sessions),
    days(s.days),
    s.goalDays,
    minutes(Math.round(s.previousMs / 60_000)),
  );
}

/** `breathMaster.goals.dailyMinutes`, as the history view reads it: the days "at your daily goal" are the same there. */
function dailyGoalMinutes(): number {
  const v = vscode.workspace.getConfiguration(SECTION).get<unknown>('goals.dailyMinutes');
  return typeof v === 'number' && Number.isFinite(v) && v >= 1 ? Math.min(1440, Math.floor(v)) : 10;
}

function enabled(): boolean {
  return vscode.workspace.getConfiguration(SECTION).get<unknown>(WEEKLY_SUMMARY_SETTING) !== false;
}

function isDebugging(): boolean {
  return vscode.debug?.activeDebugSession !== undefined;
}

/**
 * Shows last week's summary if this window should: the setting and tracking on, this window focused (the one the
 * user looks at; the others never try, and the store's compare-and-set settles a race between two), no debug
 * session, no running session. Returns whether it was shown here.
 */
export async function checkWeeklySummary(deps: WeeklySummaryDeps): Promise<boolean> {
  if (!enabled() || !deps.tracking() || !deps.focused() || deps.sessionRunning() || (deps.debugging ?? isDebugging)()) return false;
  const summary = await takeWeeklySummary(deps.store, deps.sessions(), { now: (deps.now ?? Date.now)(), dailyGoalMinutes: (deps.dailyGoalMinutes ?? dailyGoalMinutes)() });
  if (!summary) return false;
  deps.log(`weekly summary of the week of ${summary.week} shown`);
  const show = vscode.l10n.t('Show History');
  const off = vscode.l10n.t('Turn Off');
  // A plain information message, never modal: Do Not Disturb hides it, and it asks for nothing.
  void vscode.window.showInformationMessage(weeklySummaryText(summary), show, off).then(async (choice) => {
    if (choice === show) await vscode.commands.executeCommand(SHOW_HISTORY_COMMAND);
    else if (choice === off) await vscode.workspace.getConfiguration(SECTION).update(WEEKLY_SUMMARY_SETTING, false, vscode.ConfigurationTarget.Global);
  }).then(undefined, (e: unknown) => deps.log(`weekly summary action failed: ${String(e)}`));
  return true;
}

export interface WeeklySummaryTriggers {
  /** This window gained or lost focus. */
  readonly onDidChangeFocus: Event<boolean>;
  /** A debug session ended (the summary held back during it can come now). */
  readonly onDidEndDebugging?: Event<unknown>;
  /** The progress changed (a session ended here or in another window). */
  readonly onDidChangeProgress?: Event<unknown>;
}

/**
 * Checks when the summary can become due or showable: now, when this window gains focus, when a debug session or
 * a session ends, and at the start of each new week (one timer, to that instant — nothing polls in between). A
 * check that finds the week already done reads one cached record and writes nothing.
 */
export function scheduleWeeklySummary(deps: WeeklySummaryDeps, triggers: WeeklySummaryTriggers): vscode.Disposable {
  let running = false;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  const now = deps.now ?? Date.now;
  const check = (): void => {
    if (disposed) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    checkWeeklySummary(deps)
      .catch((e: unknown) => deps.log(`weekly summary check failed: ${String(e)}`))
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          check();
        }
      });
  };
  const arm = (): void => {
    if (disposed) return;
    const t = now();
    // Timers are capped at 2^31-1 ms (24.8 days) and drift across sleep: re-armed from the clock each time.
    const wait = Math.min(2 ** 31 - 1, Math.max(1_000, nextWeekStart(t) - t + 1_000));
    timer = setTimeout(() => {
      check();
      arm();
    }, wait);
  };
  const subscriptions: Disposable[] = [triggers.onDidChangeFocus((focused) => focused && check())];
  if (triggers.onDidEndDebugging) subscriptions.push(triggers.onDidEndDebugging(() => check()));
  if (triggers.onDidChangeProgress) subscriptions.push(triggers.onDidChangeProgress(() => !deps.sessionRunning() && check()));
  check();
  arm();
  return {
    dispose: () => {
      disposed = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const s of subscriptions.splice(0)) s.dispose();
    },
  };
}
