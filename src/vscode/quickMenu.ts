import * as vscode from 'vscode';
import type { SessionView } from '../engine/meditationTracker';
import { COMMANDS } from './commandIds';
import { formatDuration } from './progressText';

interface MenuItem extends vscode.QuickPickItem {
  command?: string;
}

/** The menu behind a click on the progress item: what fits the moment first (the session's actions). */
export function menuItems(session: SessionView | null | undefined, breathingPaused: boolean): MenuItem[] {
  const items: MenuItem[] = [];
  if (session) {
    const time = `${formatDuration(session.activeMs)} of ${session.goalMinutes} min`;
    items.push(session.state === 'running'
      ? { label: '$(debug-pause) Pause Session', description: time, command: COMMANDS.pauseSession }
      : { label: '$(debug-continue) Resume Session', description: time, command: COMMANDS.resumeSession });
    items.push({ label: '$(debug-stop) End Session', command: COMMANDS.endSession });
  } else {
    items.push({ label: '$(play) Start Session', command: COMMANDS.startSession });
  }
  items.push(
    { label: '$(graph) Show Progress', command: COMMANDS.showProgress },
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: breathingPaused ? '$(debug-start) Resume Breathing Guide' : '$(debug-pause) Pause Breathing Guide', command: COMMANDS.toggle },
    { label: '$(sync) Cycle Breathing Pattern', command: COMMANDS.cyclePattern },
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(export) Export Data', command: COMMANDS.exportData },
    { label: '$(cloud-download) Import Data', command: COMMANDS.importData },
    { label: '$(pulse) Show Storage Health', command: COMMANDS.showStorageHealth },
    { label: '$(gear) Settings', command: 'workbench.action.openSettings', description: 'breathMaster' },
  );
  return items;
}

export async function openQuickMenu(session: SessionView | null | undefined, breathingPaused: boolean): Promise<string | undefined> {
  const pick = await vscode.window.showQuickPick(menuItems(session, breathingPaused), { title: 'Breath Master', placeHolder: 'What would you like to do?' });
  if (!pick?.command) return undefined;
  if (pick.command === 'workbench.action.openSettings') await vscode.commands.executeCommand(pick.command, '@ext:breath-master.breath-master');
  else await vscode.commands.executeCommand(pick.command);
  return pick.command;
}
