import * as vscode from 'vscode';
import type { SessionView } from '../engine/meditationTracker';
import { COMMANDS } from './commandIds';
import { sessionTime } from './progressText';

interface MenuItem extends vscode.QuickPickItem {
  command?: string;
}

/** Commands of other parts of the extension, offered when they are there. */
const OPTIONAL: readonly { command: string; label: () => string }[] = [
  { command: 'breathMaster.openBreathingView', label: () => `$(circle-large-outline) ${vscode.l10n.t('Open Breathing View')}` },
  { command: 'breathMaster.showHistory', label: () => `$(history) ${vscode.l10n.t('Show History')}` },
];

/**
 * The menu behind a click on the progress item (and *Breath Master: Open Menu*): every action of the extension,
 * what fits the moment first (the session's actions).
 */
export function menuItems(session: SessionView | null | undefined, breathingPaused: boolean, available: ReadonlySet<string> = new Set()): MenuItem[] {
  const t = vscode.l10n.t;
  const items: MenuItem[] = [];
  if (session) {
    const time = sessionTime(session);
    items.push(session.state === 'running'
      ? { label: `$(debug-pause) ${t('Pause Session')}`, description: time, command: COMMANDS.pauseSession }
      : { label: `$(debug-continue) ${t('Resume Session')}`, description: time, command: COMMANDS.resumeSession });
    items.push({ label: `$(debug-stop) ${t('End Session')}`, command: COMMANDS.endSession });
  } else {
    items.push({ label: `$(play) ${t('Start Session')}`, command: COMMANDS.startSession });
  }
  items.push({ label: `$(graph) ${t('Show Progress')}`, command: COMMANDS.showProgress });
  for (const o of OPTIONAL) if (available.has(o.command)) items.push({ label: o.label(), command: o.command });
  items.push(
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: breathingPaused ? `$(debug-start) ${t('Resume Breathing Guide')}` : `$(debug-pause) ${t('Pause Breathing Guide')}`, command: COMMANDS.toggle },
    { label: `$(sync) ${t('Cycle Breathing Pattern')}`, command: COMMANDS.cyclePattern },
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: `$(export) ${t('Export Data')}`, command: COMMANDS.exportData },
    { label: `$(cloud-download) ${t('Import Data')}`, command: COMMANDS.importData },
    { label: `$(trash) ${t('Clear Data')}`, command: COMMANDS.clearData },
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: `$(heart) ${t('Show Welcome')}`, command: COMMANDS.showWelcome },
    { label: `$(pulse) ${t('Show Storage Health')}`, command: COMMANDS.showStorageHealth },
    { label: `$(gear) ${t('Settings')}`, command: 'workbench.action.openSettings', description: 'breathMaster' },
  );
  return items;
}

export async function openQuickMenu(session: SessionView | null | undefined, breathingPaused: boolean): Promise<string | undefined> {
  const registered = new Set(await vscode.commands.getCommands(true));
  const pick = await vscode.window.showQuickPick(menuItems(session, breathingPaused, registered), { title: 'Breath Master', placeHolder: vscode.l10n.t('What would you like to do?') });
  if (!pick?.command) return undefined;
  if (pick.command === 'workbench.action.openSettings') await vscode.commands.executeCommand(pick.command, '@ext:breath-master.breath-master');
  else await vscode.commands.executeCommand(pick.command);
  return pick.command;
}
