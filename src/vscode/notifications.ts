import * as vscode from 'vscode';
import type { ProgressNotification } from '../engine/meditationTracker';
import { days } from './progressText';

export function notificationText(n: ProgressNotification): string {
  return n.kind === 'levelUp'
    ? vscode.l10n.t('Breath Master: level {0} — {1}! ({2} XP)', n.level, n.title, n.xp)
    : vscode.l10n.t('Breath Master: a breathing streak of {0}. Keep it up!', days(n.days));
}

/**
 * Shows a level-up or streak message. The engine fires these only in the one window whose commit crossed the
 * threshold, so this never multiplies across windows; the user's settings decide whether to show it at all.
 */
export function showProgressNotification(n: ProgressNotification, allowed: boolean): boolean {
  if (!allowed) return false;
  void vscode.window.showInformationMessage(notificationText(n));
  return true;
}
