import * as vscode from 'vscode';
import type { EndResult, MeditationTracker, SessionView, StartResult } from '../engine/meditationTracker';
import { sessionXp } from '../engine/progressRecord';
import { GOAL_CHOICES, validGoalMinutes } from '../engine/session';
import { durationText } from './durationText';
import { minutes, sessionTime, stateWord } from './progressText';

interface GoalItem extends vscode.QuickPickItem {
  minutes: number;
}

/** Goals for the quick pick: the level's default first, then the usual choices. */
export function goalItems(defaultMinutes: number): GoalItem[] {
  const items: GoalItem[] = [{ label: minutes(defaultMinutes), description: vscode.l10n.t('default for your level'), minutes: defaultMinutes }];
  for (const m of GOAL_CHOICES) if (m !== defaultMinutes) items.push({ label: minutes(m), minutes: m });
  return items;
}

function describe(session: SessionView): string {
  return `${sessionTime(session)}, ${stateWord(session.state)}`;
}

/**
 * Start Session. With a goal argument (a number or numeric string of minutes, 1–240, e.g. from a keybinding or a
 * test) it starts at once; otherwise a quick pick of goals. One session per user: if one runs in any window, it is
 * shown instead of starting another.
 */
export async function startSession(tracker: MeditationTracker, goalArg?: unknown): Promise<StartResult | undefined> {
  const running = tracker.session();
  if (running) {
    void vscode.window.showInformationMessage(vscode.l10n.t('A session is already running ({0}).', describe(running)));
    return { session: running, started: false };
  }
  let goal = validGoalMinutes(goalArg);
  if (goal === undefined && goalArg !== undefined && typeof goalArg !== 'object') {
    void vscode.window.showWarningMessage(vscode.l10n.t('Breath Master: {0} is not a goal in whole minutes (1–240); pick one.', JSON.stringify(goalArg)));
  }
  if (goal === undefined) {
    const pick = await vscode.window.showQuickPick(goalItems(tracker.snapshot().defaultGoalMinutes), {
      title: vscode.l10n.t('Breath Master: Start Session'), placeHolder: vscode.l10n.t('How long would you like to meditate?'),
    });
    if (!pick) return undefined;
    goal = pick.minutes;
  }
  const result = await tracker.start(goal);
  if (!result.started) void vscode.window.showInformationMessage(vscode.l10n.t('A session is already running ({0}).', describe(result.session)));
  return result;
}

export async function pauseSession(tracker: MeditationTracker): Promise<SessionView | null> {
  const before = tracker.session();
  if (!before) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No session is running.'));
    return null;
  }
  return tracker.pause();
}

export async function resumeSession(tracker: MeditationTracker): Promise<SessionView | null> {
  const before = tracker.session();
  if (!before) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No session is running. Start one with "Breath Master: Start Session".'));
    return null;
  }
  return tracker.resume();
}

/**
 * The summary after ending: with tracking off, no XP is mentioned (none was earned). The XP is the session's, as Show
 * Progress lists it (its cycles plus the bonus), not only what the end itself added: the cycles were credited as
 * they completed, so "+1 XP" for a session listed as "5 XP" matched nothing the user could see.
 */
export function endedText(result: EndResult): string | undefined {
  if (!result.ended || !result.summary) return undefined;
  const time = durationText(result.summary.activeMs, vscode.l10n.t);
  return result.tracking
    ? vscode.l10n.t('Session ended: {0} of mindful breathing, +{1} XP.', time, sessionXp(result.summary))
    : vscode.l10n.t('Session ended: {0} of mindful breathing.', time);
}

/** End Session: the window whose commit ended it reports the result; a second window ending it too finds nothing. */
export async function endSession(tracker: MeditationTracker, showSummary: boolean, sessionId?: string): Promise<EndResult> {
  const result = await tracker.end(sessionId);
  const text = endedText(result);
  if (!result.ended) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No session is running.'));
  } else if (showSummary && text) {
    void vscode.window.showInformationMessage(text);
  }
  return result;
}

export function goalReachedText(session: Pick<SessionView, 'goalMinutes'>): string {
  return vscode.l10n.t('Breath Master: you reached your goal of {0}. End the session, or continue?', minutes(session.goalMinutes));
}

/**
 * "Goal reached": shown once, in the one window the engine chose (it claimed the announcement in the store). A plain
 * information message (never modal, so Do Not Disturb hides it): End Session ends this session (not a newer one),
 * Continue lets it run on.
 *
 * The toast may be answered long after it appeared, and VS Code cannot take a shown toast back: by then the session
 * may have ended in another window (or a newer one may run). The click acts on what is true now; when its session
 * is gone it says so gently instead of "No session is running." (false, or confusing, either way).
 */
export async function showGoalReached(tracker: MeditationTracker, session: SessionView, log: (m: string) => void): Promise<string | undefined> {
  const end = vscode.l10n.t('End Session');
  const keep = vscode.l10n.t('Continue');
  log(`goal of ${session.goalMinutes} min reached in session ${session.id}`);
  const choice = await vscode.window.showInformationMessage(goalReachedText(session), end, keep);
  if (choice !== end) return choice;
  const result = await tracker.end(session.id);
  const text = endedText(result);
  if (!result.ended) {
    log(`goal toast: session ${session.id} had already ended`);
    void vscode.window.showInformationMessage(vscode.l10n.t('That session has already ended.'));
  } else if (text) {
    void vscode.window.showInformationMessage(text);
  }
  return choice;
}
