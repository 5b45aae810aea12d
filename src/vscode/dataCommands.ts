import * as vscode from 'vscode';
import type { ImportResult, MeditationTracker } from '../engine/meditationTracker';

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Export Data: a save dialog, then the engine's export (JSON with `schemaVersion`). Returns the file written. */
export async function exportData(tracker: MeditationTracker): Promise<vscode.Uri | undefined> {
  const target = await vscode.window.showSaveDialog({
    title: 'Breath Master: Export Data',
    saveLabel: 'Export',
    filters: { 'Breath Master export': ['json'] },
    defaultUri: vscode.Uri.file(`breath-master-${today()}.json`),
  });
  if (!target) return undefined;
  const json = JSON.stringify(tracker.exportData(), null, 2) + '\n';
  await vscode.workspace.fs.writeFile(target, Buffer.from(json, 'utf8'));
  void vscode.window.showInformationMessage(`Breath Master data exported to ${target.fsPath}.`);
  return target;
}

const MAX_FILE_BYTES = 20_000_000;

/**
 * Import Data: the engine validates the file and merges it into what is stored (it never overwrites: XP and totals
 * keep the larger value, sessions are deduplicated). Invalid files change nothing and say why.
 */
export async function importData(tracker: MeditationTracker): Promise<ImportResult | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Breath Master: Import Data', openLabel: 'Import', canSelectMany: false, filters: { 'Breath Master export': ['json'] },
  });
  const source = picked?.[0];
  if (!source) return undefined;
  let result: ImportResult;
  try {
    const bytes = await vscode.workspace.fs.readFile(source);
    result = bytes.byteLength > MAX_FILE_BYTES
      ? { ok: false, error: 'The file is too large to be a Breath Master export.' }
      : await tracker.importData(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    result = { ok: false, error: `Could not read the file: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (result.ok) {
    const skipped = result.skippedSessions > 0 ? ` ${result.skippedSessions} unreadable session(s) skipped.` : '';
    void vscode.window.showInformationMessage(
      `Breath Master data imported and merged: XP ${result.xpBefore} → ${result.xpAfter}, ${result.sessionsAdded} session(s) added.${skipped}`,
    );
  } else {
    void vscode.window.showErrorMessage(`Breath Master could not import ${source.fsPath}: ${result.error} Nothing was changed.`);
  }
  return result;
}

export const CLEAR_CONFIRM = 'Clear Data';

/** Clear Data: a modal confirmation, then XP, streak, sessions and history are reset for every window. */
export async function clearData(tracker: MeditationTracker): Promise<boolean> {
  const answer = await vscode.window.showWarningMessage(
    'Clear all Breath Master data?',
    { modal: true, detail: 'This resets your XP, level, streak, the running session and the session history in every window. It cannot be undone — export your data first if you want to keep it.' },
    CLEAR_CONFIRM,
  );
  if (answer !== CLEAR_CONFIRM) return false;
  await tracker.clear();
  void vscode.window.showInformationMessage('Breath Master data cleared.');
  return true;
}
