import * as vscode from 'vscode';
import type { StoreMetrics } from '@breath-master/store';
import type { SyncRecord } from '../engine/progressSync';
import { isCounted } from '../engine/syncedProgress';
import { escapeHtml, nonce } from './webviews/page';

export const HEALTH_VIEW_TYPE = 'breathMaster.storageHealth';
/** Live, but never more often than this: the counters change with every commit of every window. */
const UPDATE_EVERY_MS = 1_000;

/** What the page shows: plain text only (the page's script puts it in place with textContent). */
export interface StorageHealthModel {
  readonly type: 'health';
  readonly folder: string;
  readonly problem: string | null;
  /** Counter and value; null when the store is not running in this window. */
  readonly rows: readonly (readonly [string, string])[] | null;
}

/** The progress-sync line: off, or how many other machines are counted and when one's progress last arrived. */
export function progressSyncText(sync: { enabled: boolean; record: SyncRecord }): string {
  if (!sync.enabled) return vscode.l10n.t('off (breathMaster.progress.sync)');
  const { machine, state, arrived } = sync.record;
  const others = Object.entries(state.machines).filter(([id, part]) => id !== machine && isCounted(id, part, state.reset)).length;
  if (arrived === null) return vscode.l10n.t('on; nothing has arrived from another machine yet');
  return vscode.l10n.t('on; {0} other machine(s) counted; last arrival {1} from {2}', others, new Date(arrived.at).toLocaleString(vscode.env.language || undefined), arrived.from.join(', '));
}

export function storageHealthModel(
  metrics: StoreMetrics | undefined,
  storagePath: string,
  problem: string | undefined,
  sync?: { enabled: boolean; record: SyncRecord },
): StorageHealthModel {
  const base = { type: 'health', folder: vscode.l10n.t('Storage folder: {0}', storagePath), problem: problem ?? null } as const;
  if (!metrics) return { ...base, rows: null };
  const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(1)} ms` : '—');
  const latency = metrics.feedLatencyMs;
  return {
    ...base,
    rows: [
      [vscode.l10n.t('commits (this window)'), String(metrics.commits)],
      [vscode.l10n.t('conflicts'), String(metrics.conflicts)],
      [vscode.l10n.t('conflicts per 100 commits'), metrics.commits > 0 ? ((100 * metrics.conflicts) / metrics.commits).toFixed(1) : '—'],
      [vscode.l10n.t('retries'), String(metrics.retries)],
      [vscode.l10n.t('updates given up (ConflictError)'), String(metrics.conflictErrors)],
      [vscode.l10n.t('corrupt records found'), String(metrics.corruptRecords)],
      [vscode.l10n.t('changes from other windows'), String(metrics.remoteChanges)],
      [vscode.l10n.t('change-feed latency p50'), latency.count > 0 ? ms(latency.p50) : '—'],
      [vscode.l10n.t('change-feed latency p99'), latency.count > 0 ? ms(latency.p99) : '—'],
      [vscode.l10n.t('latency samples'), String(latency.count)],
      [vscode.l10n.t('change-feed latency, all changes'), histogramText(metrics.feedLatencyHistogram)],
      [vscode.l10n.t('changes announced by a file event'), String(metrics.remoteChangesFoundBy.event)],
      // What a network or WSL folder looks like: commits that no file event announced.
      [vscode.l10n.t('changes found by polling (no file event)'), String(metrics.remoteChangesFoundBy.poll)],
      [vscode.l10n.t('changes found on window focus (an event was missed)'), String(metrics.remoteChangesFoundBy.refresh)],
      [vscode.l10n.t('old record collections'), String(metrics.collections)],
      [vscode.l10n.t('folds of closed windows’ contributions'), metrics.folds > 0 ? vscode.l10n.t('{0} ({1} windows)', metrics.folds, metrics.foldedWriters) : '0'],
      [vscode.l10n.t('how changes are noticed'), metrics.watchMode === 'events' ? vscode.l10n.t('file events') : vscode.l10n.t('polling')],
      ...(sync ? [[vscode.l10n.t('progress from other machines (Settings Sync)'), progressSyncText(sync)] as const] : []),
    ],
  };
}

/** "≤1 ms: 3 · ≤5 ms: 10 · >2000 ms: 1" — only the buckets that hold something; '—' when none does. */
function histogramText(histogram: StoreMetrics['feedLatencyHistogram']): string {
  let previous = 0;
  const parts: string[] = [];
  for (const { upToMs, count } of histogram) {
    if (count > 0) parts.push(upToMs === null ? `>${previous} ms: ${count}` : `≤${upToMs} ms: ${count}`);
    previous = upToMs ?? previous;
  }
  return parts.length > 0 ? parts.join(' · ') : '—';
}

/**
 * The page, written once per panel: a heading, the folder, a problem if any, and the counters as a table in the
 * theme's colours and font. Later models arrive by postMessage and the script replaces the text in place (a new
 * HTML would reload the page and lose a selection the user is about to copy into an issue).
 */
export function storageHealthHtml(model: StorageHealthModel, scriptNonce: string): string {
  const row = ([name, value]: readonly [string, string]) => `<tr><th scope="row">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`;
  return `<!DOCTYPE html>
<html lang="${escapeHtml(vscode.env.language || 'en')}"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${scriptNonce}'; script-src 'nonce-${scriptNonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(vscode.l10n.t('Breath Master — storage health'))}</title>
<style nonce="${scriptNonce}">
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 20px; max-width: 720px; }
h1 { font-weight: 400; font-size: 1.6em; }
code { font-family: var(--vscode-editor-font-family); }
.problem { color: var(--vscode-errorForeground); }
table { border-collapse: collapse; }
th, td { text-align: left; font-weight: normal; padding: 4px 24px 4px 0; border-bottom: 1px solid var(--vscode-panel-border, #8884); }
thead th { color: var(--vscode-descriptionForeground); }
td { font-variant-numeric: tabular-nums; }
</style></head>
<body data-initial="${escapeHtml(JSON.stringify(model))}">
<h1>${escapeHtml(vscode.l10n.t('Breath Master — storage health'))}</h1>
<p id="folder">${escapeHtml(model.folder)}</p>
<p class="problem" id="problem"${model.problem ? '' : ' hidden'}><strong>${escapeHtml(vscode.l10n.t('Problem:'))}</strong> <span id="problem-text">${escapeHtml(model.problem ?? '')}</span></p>
<p id="none"${model.rows ? ' hidden' : ''}>${escapeHtml(vscode.l10n.t('The store is not running in this window, so there are no counters.'))}</p>
<table id="counters"${model.rows ? '' : ' hidden'}><thead><tr><th scope="col">${escapeHtml(vscode.l10n.t('counter'))}</th><th scope="col">${escapeHtml(vscode.l10n.t('value'))}</th></tr></thead>
<tbody id="rows">${(model.rows ?? []).map(row).join('')}</tbody></table>
<script nonce="${scriptNonce}">
(() => {
  const $ = (id) => document.getElementById(id);
  window.addEventListener('message', (event) => {
    const m = event.data;
    if (!m || m.type !== 'health') return;
    $('folder').textContent = m.folder;
    $('problem').hidden = !m.problem;
    $('problem-text').textContent = m.problem || '';
    $('none').hidden = !!m.rows;
    $('counters').hidden = !m.rows;
    $('rows').replaceChildren(...(m.rows || []).map(([name, value]) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = name;
      const td = document.createElement('td');
      td.textContent = value;
      tr.append(th, td);
      return tr;
    }));
  });
})();
</script>
</body></html>`;
}

type HealthSource = () => { metrics: StoreMetrics | undefined; storagePath: string; problem: string | undefined; sync?: { enabled: boolean; record: SyncRecord } | undefined };

/**
 * Storage health as a rendered page (a webview panel, one per window). It follows the counters live while it is open
 * and visible: each change of the store (this window's commit or another's) schedules one update, at most once a
 * second. Nothing changes, nothing runs: no timer and no message while the store is quiet, the panel is hidden
 * (shown again, it gets the current counters at once) or closed.
 */
export class StorageHealthView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastPosted = '';

  constructor(private readonly read: HealthSource) {}

  private model(): StorageHealthModel {
    const { metrics, storagePath, problem, sync } = this.read();
    return storageHealthModel(metrics, storagePath, problem, sync);
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(HEALTH_VIEW_TYPE, vscode.l10n.t('Breath Master — storage health'), vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [] });
    this.panel = panel;
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.lastPosted = '';
      this.stopTimer();
    });
    // A hidden webview is unloaded; shown again it starts from its first HTML, so it gets the current data at once.
    panel.onDidChangeViewState((e) => {
      if (!e.webviewPanel.visible) return;
      this.lastPosted = '';
      this.refresh();
    });
    const model = this.model();
    panel.webview.html = storageHealthHtml(model, nonce());
    this.lastPosted = JSON.stringify(model);
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** The store changed: the page follows within a second (only while it is open and visible). */
  storeChanged(): void {
    if (!this.panel?.visible || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, UPDATE_EVERY_MS);
  }

  /** Posts the counters when they differ from what the page shows. */
  refresh(): void {
    if (!this.panel?.visible) return;
    const model = this.model();
    const text = JSON.stringify(model);
    if (text === this.lastPosted) return;
    this.lastPosted = text;
    void this.panel.webview.postMessage(model);
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.stopTimer();
    this.panel?.dispose();
  }
}
