import * as vscode from 'vscode';
import type { StoreMetrics } from '../store';

/** The store's counters as Markdown: a support-friendly text the user can copy into an issue. */
export function storageHealthMarkdown(metrics: StoreMetrics | undefined, storagePath: string, problem: string | undefined): string {
  const lines = ['# Breath Master — storage health', ''];
  lines.push(`Storage folder: \`${storagePath}\``, '');
  if (problem) lines.push(`**Problem:** ${problem}`, '');
  if (!metrics) {
    lines.push('The store is not running in this window, so there are no counters.');
    return lines.join('\n') + '\n';
  }
  const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(1)} ms` : '—');
  lines.push(
    '| counter | value |',
    '| --- | --- |',
    `| commits (this window) | ${metrics.commits} |`,
    `| conflicts | ${metrics.conflicts} |`,
    `| retries | ${metrics.retries} |`,
    `| updates given up (ConflictError) | ${metrics.conflictErrors} |`,
    `| corrupt records found | ${metrics.corruptRecords} |`,
    `| changes from other windows | ${metrics.remoteChanges} |`,
    `| change-feed latency p50 | ${metrics.feedLatencyMs.count > 0 ? ms(metrics.feedLatencyMs.p50) : '—'} |`,
    `| change-feed latency p99 | ${metrics.feedLatencyMs.count > 0 ? ms(metrics.feedLatencyMs.p99) : '—'} |`,
    `| latency samples | ${metrics.feedLatencyMs.count} |`,
    `| how changes are noticed | ${metrics.watchMode === 'events' ? 'file events' : 'polling'} |`,
  );
  return lines.join('\n') + '\n';
}

/** Opens the health report as an untitled Markdown document (readable, copyable, nothing written to disk). */
export async function showStorageHealth(metrics: StoreMetrics | undefined, storagePath: string, problem: string | undefined): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: storageHealthMarkdown(metrics, storagePath, problem) });
  await vscode.window.showTextDocument(doc, { preview: true });
}
