import * as vscode from 'vscode';
import type { OnboardingManager } from '../engine/onboardingManager';
import { SECTION, TRACKING_KEY, type Settings } from './settings';

// English texts (the fake `vscode.l10n` and the e2e tests compare with them); shown through `vscode.l10n.t`.
export const WELCOME_MESSAGE = 'Welcome to Breath Master: breathe along with the status bar. Would you also like to track your progress (XP, levels, daily streaks)?';
export const TURN_ON = 'Turn On Progress Tracking';
export const KEEP_SIMPLE = 'Keep It Simple';
export const TAKE_TOUR = 'Take the Tour';
/** The welcome when `progress.tracking` is already "on" or "off" in the user's settings: nothing to ask. */
export const WELCOME_TRACKING_ON = 'Welcome to Breath Master: breathe along with the status bar. Progress tracking (XP, levels, daily streaks) is on, as set in your settings.';
export const WELCOME_TRACKING_OFF = 'Welcome to Breath Master: breathe along with the status bar. Progress tracking (XP, levels, daily streaks) is off, as set in your settings.';
export const WALKTHROUGH_ID = 'breath-master.breath-master#breathMaster.tour';

/**
 * Shows the welcome and keeps the answer. Both answers write the choice to the store (every window follows at
 * once) and to the user setting `progress.tracking` (so the Settings UI always agrees with what the status bar
 * does); answering again later (Show Welcome) replaces the earlier answer. Any answer, or closing it, completes
 * the welcome for every window.
 */
export async function showWelcome(onboarding: OnboardingManager | undefined, log: (m: string) => void): Promise<string | undefined> {
  const turnOn = vscode.l10n.t(TURN_ON);
  const keepSimple = vscode.l10n.t(KEEP_SIMPLE);
  const tour = vscode.l10n.t(TAKE_TOUR);
  const answer = await vscode.window.showInformationMessage(vscode.l10n.t(WELCOME_MESSAGE), turnOn, keepSimple, tour);
  if (answer === turnOn || answer === keepSimple) {
    const choice = answer === turnOn ? 'on' : 'off';
    await onboarding?.setProgressChoice(choice);
    await vscode.workspace.getConfiguration(SECTION).update(TRACKING_KEY, choice, vscode.ConfigurationTarget.Global);
    log(`welcome: progress tracking ${choice}`);
  } else if (answer === tour) {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
  }
  await onboarding?.completeWelcome();
  return answer;
}

/**
 * The welcome for someone who already chose in their settings (`progress.tracking` "on" or "off"): it greets and
 * says what the settings chose, without asking — asking would offer to undo their choice ("Keep It Simple" would turn
 * tracking they had set on off). The choice stays where they made it, in the setting.
 */
async function showChosenWelcome(onboarding: OnboardingManager, tracking: 'on' | 'off', log: (m: string) => void): Promise<string | undefined> {
  const tour = vscode.l10n.t(TAKE_TOUR);
  const message = tracking === 'on' ? vscode.l10n.t(WELCOME_TRACKING_ON) : vscode.l10n.t(WELCOME_TRACKING_OFF);
  log(`welcome: progress tracking already ${tracking} in the settings, not asked`);
  const answer = await vscode.window.showInformationMessage(message, tour);
  if (answer === tour) await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
  await onboarding.completeWelcome();
  return answer;
}

/**
 * On startup: the welcome appears in the one window that wins the claim. Until it is answered or closed, the claim
 * is held by this window; `release` (on deactivation) gives it back if the user never saw it (Do Not Disturb, the
 * window closed at once), so it is offered again — at most three times. It asks about progress tracking only while
 * the setting is "ask" (Show Welcome, asked for by the user, always asks: answering it is a deliberate change).
 */
export async function welcomeOnce(onboarding: OnboardingManager, log: (m: string) => void, tracking: Settings['tracking'] = 'ask'): Promise<boolean> {
  if (!(await onboarding.claimWelcome())) return false;
  log('welcome claimed by this window');
  const shown = tracking === 'ask' ? showWelcome(onboarding, log) : showChosenWelcome(onboarding, tracking, log);
  void shown.catch((e: unknown) => log(`welcome failed: ${String(e)}`));
  return true;
}
