import * as vscode from 'vscode';
import type { ProgressSnapshot } from '../engine/meditationTracker';
import { formatDuration, progressAccessibilityLabel, progressText, progressTooltip, progressViewOf, sessionOnlyText } from './progressText';

export const PROGRESS_ITEM_ID = 'breathMaster.progress';
/** Internal command behind a click on the progress item (not in the palette). */
export const MENU_COMMAND = 'breathMaster.openMenu';

/** Level, XP, streak and the running session's timer; shown only while progress tracking is on. */
export class ProgressStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private lastText = '';
  private lastTooltip = '';
  private lastLabel = '';

  constructor() {
    this.item = vscode.window.createStatusBarItem(PROGRESS_ITEM_ID, vscode.StatusBarAlignment.Left, 99);
    this.item.name = 'Breath Master: Progress';
    this.item.command = MENU_COMMAND;
  }

  /**
   * Shows the snapshot when tracking is on; with tracking off only a running session's timer (so the user still
   * sees it); hides the item otherwise (also when no data could be read: undefined).
   */
  render(snapshot: ProgressSnapshot | undefined, tracking: boolean): void {
    if (!snapshot || (!tracking && !snapshot.session)) {
      this.item.hide();
      return;
    }
    const view = progressViewOf(snapshot);
    // Only touch what changed: every assignment is a message to the workbench, and this runs every second.
    const text = tracking || !snapshot.session ? progressText(view) : sessionOnlyText(snapshot.session);
    if (text !== this.lastText) this.item.text = this.lastText = text;
    const tooltip = tracking || !snapshot.session
      ? progressTooltip(view)
      : `Breath Master session ${snapshot.session.state}: ${formatDuration(snapshot.session.activeMs)} of ${snapshot.session.goalMinutes} min  \nClick for the Breath Master menu`;
    if (tooltip !== this.lastTooltip) {
      this.lastTooltip = tooltip;
      const md = new vscode.MarkdownString(tooltip);
      this.item.tooltip = md;
    }
    const label = tracking || !snapshot.session
      ? progressAccessibilityLabel(view)
      : `Breath Master: session ${snapshot.session.state}, ${Math.floor(snapshot.session.activeMs / 60_000)} of ${snapshot.session.goalMinutes} minutes. Activate for the Breath Master menu.`;
    if (label !== this.lastLabel) this.item.accessibilityInformation = { label: (this.lastLabel = label), role: 'button' };
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
