import * as vscode from 'vscode';
import type { ProgressSnapshot } from '../engine/meditationTracker';
import { progressAccessibilityLabel, progressText, progressTooltip, progressViewOf, sessionOnlyLabel, sessionOnlyText, sessionOnlyTooltip } from './progressText';

export const PROGRESS_ITEM_ID = 'breathMaster.progress';
/** Command behind a click on the progress item: the quick menu of every action (also in the palette). */
export const MENU_COMMAND = 'breathMaster.openMenu';

/**
 * Right after the breathing item, in the right-hand group: below its priority, above any ordinary one. Its own width
 * changes (a session's timer) move only the breathing item to its left, never another extension's item.
 */
export const PROGRESS_PRIORITY = Number.MAX_VALUE / 2;

/**
 * Level, XP, streak and the running session's timer while progress tracking is on; with it off, only a session's
 * timer. Every property assignment and every `show()` is a message to the workbench, so each is made only when
 * what it carries changed.
 */
export class ProgressStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private visible = false;
  private lastText = '';
  private lastTooltip = '';
  private lastLabel = '';

  constructor() {
    this.item = vscode.window.createStatusBarItem(PROGRESS_ITEM_ID, vscode.StatusBarAlignment.Right, PROGRESS_PRIORITY);
    this.item.name = vscode.l10n.t('Breath Master: Progress');
    this.item.command = MENU_COMMAND;
  }

  /**
   * Shows the snapshot when tracking is on; with tracking off only a running session's timer (so the user still
   * sees it); hides the item otherwise (also when no data could be read: undefined).
   */
  render(snapshot: ProgressSnapshot | undefined, tracking: boolean): void {
    if (!snapshot || (!tracking && !snapshot.session)) {
      this.setVisible(false);
      return;
    }
    const view = progressViewOf(snapshot);
    const full = tracking || !snapshot.session;
    const text = full ? progressText(view) : sessionOnlyText(view.session ?? snapshot.session);
    if (text !== this.lastText) this.item.text = this.lastText = text;
    const tooltip = full ? progressTooltip(view) : sessionOnlyTooltip(snapshot.session);
    if (tooltip !== this.lastTooltip) {
      this.lastTooltip = tooltip;
      this.item.tooltip = new vscode.MarkdownString(tooltip);
    }
    const label = full ? progressAccessibilityLabel(view) : sessionOnlyLabel(snapshot.session);
    if (label !== this.lastLabel) this.item.accessibilityInformation = { label: (this.lastLabel = label), role: 'button' };
    this.setVisible(true);
  }

  private setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    if (visible) this.item.show();
    else this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
  }
}
