import * as vscode from 'vscode';
import type { OnboardingManager } from '../engine/onboardingManager';
import { SECTION } from './settings';

export const WELCOME_MESSAGE = 'Welcome to Breath Master: breathe along with the status bar. Would you also like to track your progress (XP, levels, daily streaks)?';
export const TURN_ON = 'Turn On Progress Tracking';
export const KEEP_SIMPLE = 'Keep It Simple';
export const TAKE_TOUR = 'Take the Tour';
export const WALKTHROUGH_ID = 'breath-master.breath-master#breathMaster.tour';

/**
 * Shows the welcome and keeps the answer. "Turn on" writes the choice to the store (every window follows at once)
 * and to the user setting (so the Settings UI agrees); "keep it simple" only records the choice.
 */
export async function showWelcome(onboarding: OnboardingManager | undefined, log: (m: string) => void): Promise<string | undefined> {
  const answer = await vscode.window.showInformationMessage(WELCOME_MESSAGE, TURN_ON, KEEP_SIMPLE, TAKE_TOUR);
  if (answer === TURN_ON) {
    await onboarding?.setProgressChoice('on');
    await vscode.workspace.getConfiguration(SECTION).update('gamification.enabled', true, vscode.ConfigurationTarget.Global);
    log('welcome: progress tracking turned on');
  } else if (answer === KEEP_SIMPLE) {
    await onboarding?.setProgressChoice('off');
    log('welcome: keep it simple');
  } else if (answer === TAKE_TOUR) {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
  }
  return answer;
}

/** On startup: the welcome appears in the one window that wins the claim, once per user. */
export async function welcomeOnce(onboarding: OnboardingManager, log: (m: string) => void): Promise<boolean> {
  if (!(await onboarding.claimWelcome())) return false;
  log('welcome claimed by this window');
  void showWelcome(onboarding, log).catch((e: unknown) => log(`welcome failed: ${String(e)}`));
  return true;
}
