import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { MAX_IMPORT_CHARS } from '../engine/exchange';
import type { ImportResult, MeditationTracker } from '../engine/meditationTracker';
import type { ProgressSync } from '../engine/progressSync';

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Where the save dialog opens: the first workspace folder, else the home folder (never the file-system root). */
export function exportFolder(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri;
  return folder ?? vscode.Uri.file(homedir());
}

/** Export Data: a save dialog, then the engine's export (JSON with `schemaVersion`). Returns the file written. */
export async function exportData(tracker: MeditationTracker): Promise<vscode.Uri | undefined> {
  const target = await vscode.window.showSaveDialog({
    title: vscode.l10n.t('Breath Master: Export Data'),
    saveLabel: vscode.l10n.t('Export'),
    filters: { [vscode.l10n.t('Breath Master export')]: ['json'] },
    defaultUri: vscode.Uri.joinPath(exportFolder(), `breath-master-${today()}.json`),
  });
  if (!target) return undefined;
  const json = JSON.stringify(tracker.exportData(), null, 2) + '\n';
  await vscode.workspace.fs.writeFile(target, Buffer.from(json, 'utf8'));
  void vscode.window.showInformationMessage(vscode.l10n.t('Breath Master data exported to {0}.', target.fsPath));
  return target;
}

/** Files are checked before reading them whole: an export is ASCII JSON, so bytes and characters agree. */
const MAX_FILE_BYTES = MAX_IMPORT_CHARS;

/**
 * Import Data: the engine validates the file and merges it into what is stored (it never overwrites: XP and totals
 * keep the larger value, sessions are deduplicated). Invalid files change nothing and say why.
 */
export async function importData(tracker: MeditationTracker): Promise<ImportResult | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: vscode.l10n.t('Breath Master: Import Data'), openLabel: vscode.l10n.t('Import'), canSelectMany: false, filters: { [vscode.l10n.t('Breath Master export')]: ['json'] },
  });
  const source = picked?.[0];
  if (!source) return undefined;
  let result: ImportResult;
  try {
    const bytes = await vscode.workspace.fs.readFile(source);
    result = bytes.byteLength > MAX_FILE_BYTES
      ? { ok: false, error: vscode.l10n.t('The file is too large to be a Breath Master export.') }
      : await tracker.importData(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    result = { ok: false, error: vscode.l10n.t('Could not read the file: {0}', error instanceof Error ? error.message : String(error)) };
  }
  if (result.ok) {
    const skipped = result.skippedSessions > 0 ? ` ${vscode.l10n.t('Unreadable sessions skipped: {0}.', result.skippedSessions)}` : '';
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Breath Master data imported and merged: XP {0} → {1}, sessions added: {2}.', result.xpBefore, result.xpAfter, result.sessionsAdded) + skipped,
    );
  } else {
    // The engine's refusals come with their template, translated here (the engine has no vscode).
    const reason = result.template !== undefined ? vscode.l10n.t(result.template, ...(result.args ?? [])) : result.error;
    void vscode.window.showErrorMessage(vscode.l10n.t('Breath Master could not import {0}: {1} Nothing was changed.', source.fsPath, reason));
  }
  return result;
}

export const clearConfirm = (): string => vscode.l10n.t('Clear Data');

/** Clear Data: a modal confirmation, then XP, streak, sessions and history are reset for every window. */
export async function clearData(tracker: MeditationTracker, sync?: ProgressSync): Promise<boolean> {
  const confirm = clearConfirm();
  // Modal on purpose: it destroys data in every window and cannot be undone (the one confirmation the guidelines ask for).
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t('Clear all Breath Master data?'),
    { modal: true, detail: vscode.l10n.t('This resets your XP, level, streak, the running session and the session history in every window. It cannot be undone — export your data first if you want to keep it.') },
    confirm,
  );
  if (answer !== confirm) return false;
  await tracker.clear();
  // Every machine whose progress this one showed clears itself when Settings Sync brings it this reset.
  await sync?.recordReset();
  void vscode.window.showInformationMessage(vscode.l10n.t('Breath Master data cleared.'));
  return true;
}
