import * as vscode from 'vscode';
import type { EndResult, MeditationTracker, SessionView, StartResult } from '../engine/meditationTracker';
import { GOAL_CHOICES, validGoalMinutes } from '../engine/session';
import { formatDuration } from './progressText';

interface GoalItem extends vscode.QuickPickItem {
  minutes: number;
}

/** Goals for the quick pick: the level's default first, then the usual choices. */
export function goalItems(defaultMinutes: number): GoalItem[] {
  const items: GoalItem[] = [{ label: `${defaultMinutes} minutes`, description: 'default for your level', minutes: defaultMinutes }];
  for (const m of GOAL_CHOICES) if (m !== defaultMinutes) items.push({ label: `${m} minute${m === 1 ? '' : 's'}`, minutes: m });
  return items;
}

function describe(session: SessionView): string {
  return `${formatDuration(session.activeMs)} of ${session.goalMinutes} min, ${session.state}`;
}

/**
 * Start Session. With a goal argument (a number or numeric string of minutes, 1–240, e.g. from a keybinding or a
 * test) it starts at once; otherwise a quick pick of goals. One session per user: if one runs in any window, it is
 * shown instead of starting another.
 */
export async function startSession(tracker: MeditationTracker, goalArg?: unknown): Promise<StartResult | undefined> {
  const running = tracker.session();
  if (running) {
    void vscode.window.showInformationMessage(`A session is already running (${describe(running)}).`);
    return { session: running, started: false };
  }
  let goal = validGoalMinutes(goalArg);
  if (goal === undefined && goalArg !== undefined && typeof goalArg !== 'object') {
    void vscode.window.showWarningMessage(`Breath Master: ${JSON.stringify(goalArg)} is not a goal in whole minutes (1–240); pick one.`);
  }
  if (goal === undefined) {
    const pick = await vscode.window.showQuickPick(goalItems(tracker.snapshot().defaultGoalMinutes), {
      title: 'Breath Master: Start Session', placeHolder: 'How long would you like to meditate?',
    });
    if (!pick) return undefined;
    goal = pick.minutes;
  }
  const result = await tracker.start(goal);
  if (!result.started) void vscode.window.showInformationMessage(`A session is already running (${describe(result.session)}).`);
  return result;
}

export async function pauseSession(tracker: MeditationTracker): Promise<SessionView | null> {
  const before = tracker.session();
  if (!before) {
    void vscode.window.showInformationMessage('No session is running.');
    return null;
  }
  return tracker.pause();
}

export async function resumeSession(tracker: MeditationTracker): Promise<SessionView | null> {
  const before = tracker.session();
  if (!before) {
    void vscode.window.showInformationMessage('No session is running. Start one with "Breath Master: Start Session".');
    return null;
  }
  return tracker.resume();
}

/** End Session: the window whose commit ended it reports the result; a second window ending it too finds nothing. */
export async function endSession(tracker: MeditationTracker, showSummary: boolean): Promise<EndResult> {
  const result = await tracker.end();
  if (!result.ended) {
    void vscode.window.showInformationMessage('No session is running.');
  } else if (showSummary && result.summary) {
    void vscode.window.showInformationMessage(`Session ended: ${formatDuration(result.summary.activeMs)} of mindful breathing, +${result.xpAwarded} XP.`);
  }
  return result;
}
