import * as vscode from 'vscode';
import type { ProgressNotification } from '../engine/meditationTracker';

export function notificationText(n: ProgressNotification): string {
  return n.kind === 'levelUp'
    ? `Breath Master: level ${n.level} — ${n.title}! (${n.xp} XP)`
    : `Breath Master: a ${n.days}-day breathing streak. Keep it up!`;
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
