import * as vscode from 'vscode';
import type { StoreMetrics } from '../store';

export const HEALTH_SCHEME = 'breath-master';
export const HEALTH_URI = `${HEALTH_SCHEME}:/Storage%20Health.md`;
/** Live, but never more often than this: the counters change with every commit of every window. */
const UPDATE_EVERY_MS = 1_000;

/** The store's counters as Markdown: a support-friendly text the user can copy into an issue. */
export function storageHealthMarkdown(metrics: StoreMetrics | undefined, storagePath: string, problem: string | undefined): string {
  const lines = [`# ${vscode.l10n.t('Breath Master — storage health')}`, ''];
  lines.push(vscode.l10n.t('Storage folder: {0}', `\`${storagePath}\``), '');
  if (problem) lines.push(`**${vscode.l10n.t('Problem:')}** ${problem}`, '');
  if (!metrics) {
    lines.push(vscode.l10n.t('The store is not running in this window, so there are no counters.'));
    return lines.join('\n') + '\n';
  }
  const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(1)} ms` : '—');
  lines.push(
    `| ${vscode.l10n.t('counter')} | ${vscode.l10n.t('value')} |`,
    '| --- | --- |',
    `| ${vscode.l10n.t('commits (this window)')} | ${metrics.commits} |`,
    `| ${vscode.l10n.t('conflicts')} | ${metrics.conflicts} |`,
    `| ${vscode.l10n.t('retries')} | ${metrics.retries} |`,
    `| ${vscode.l10n.t('updates given up (ConflictError)')} | ${metrics.conflictErrors} |`,
    `| ${vscode.l10n.t('corrupt records found')} | ${metrics.corruptRecords} |`,
    `| ${vscode.l10n.t('changes from other windows')} | ${metrics.remoteChanges} |`,
    `| ${vscode.l10n.t('change-feed latency p50')} | ${metrics.feedLatencyMs.count > 0 ? ms(metrics.feedLatencyMs.p50) : '—'} |`,
    `| ${vscode.l10n.t('change-feed latency p99')} | ${metrics.feedLatencyMs.count > 0 ? ms(metrics.feedLatencyMs.p99) : '—'} |`,
    `| ${vscode.l10n.t('latency samples')} | ${metrics.feedLatencyMs.count} |`,
    `| ${vscode.l10n.t('how changes are noticed')} | ${metrics.watchMode === 'events' ? vscode.l10n.t('file events') : vscode.l10n.t('polling')} |`,
  );
  return lines.join('\n') + '\n';
}

/**
 * Storage health as a read-only virtual document (`breath-master:/Storage Health.md`): nothing to save, nothing
 * dirty, and it follows the counters live (at most once a second) while the store commits.
 */
export class StorageHealthView implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changes.event;
  private readonly registration: vscode.Disposable;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private shown = false;

  constructor(private readonly read: () => { metrics: StoreMetrics | undefined; storagePath: string; problem: string | undefined }) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(HEALTH_SCHEME, this);
  }

  provideTextDocumentContent(): string {
    const { metrics, storagePath, problem } = this.read();
    return storageHealthMarkdown(metrics, storagePath, problem);
  }

  async show(): Promise<void> {
    this.shown = true;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(HEALTH_URI));
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  /** The store committed something: the document follows within a second (only once it was opened). */
  storeChanged(): void {
    if (!this.shown || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.changes.fire(vscode.Uri.parse(HEALTH_URI));
    }, UPDATE_EVERY_MS);
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.registration.dispose();
    this.changes.dispose();
  }
}
