import * as vscode from 'vscode';
import type { SessionSummary } from '../engine/progressRecord';
import { formatDuration, type ProgressView } from './progressText';

export const PROGRESS_VIEW_TYPE = 'breathMaster.progress';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function when(ms: number): string {
  const d = new Date(ms);
  if (!Number.isFinite(d.getTime())) return '—';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * The progress page: a level bar, the streak, the running session and the recent sessions. Static HTML without
 * scripts (the CSP allows only inline styles), re-rendered by the extension whenever the store changes.
 */
export function renderProgressHtml(view: ProgressView, recent: readonly SessionSummary[], tracking: boolean): string {
  const pct = Math.round(Math.min(1, Math.max(0, view.levelProgress)) * 100);
  const next = view.xpToNext !== undefined && view.nextTitle !== undefined
    ? `${view.xpToNext} XP to level ${view.level + 1} · ${escapeHtml(view.nextTitle)}`
    : 'Top level reached';
  const session = view.session
    ? `<p class="session" id="session">Session ${view.session.state}: <strong>${formatDuration(view.session.activeMs)}</strong> of ${view.session.goalMinutes} min</p>`
    : '<p class="session" id="session">No session running.</p>';
  const rows = [...recent].reverse().slice(0, 10).map((s) =>
    `<tr><td>${escapeHtml(when(s.startedAt))}</td><td>${formatDuration(s.activeMs)}</td><td>${s.goalMinutes} min</td><td>${s.cycles + s.bonusXp} XP</td></tr>`,
  ).join('');
  const table = rows
    ? `<table><thead><tr><th>Started</th><th>Active</th><th>Goal</th><th>Earned</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p>No sessions yet. Run <em>Breath Master: Start Session</em> to begin.</p>';
  const off = tracking ? '' : '<p class="note">Progress tracking is off: XP and streaks are not shown in the status bar. Turn on <code>breathMaster.gamification.enabled</code> to see them there.</p>';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Breath Master: Progress</title>
<style>
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 20px; max-width: 720px; }
h1 { font-weight: 400; }
.level { font-size: 1.3em; margin: 0.2em 0; }
.bar { height: 12px; border-radius: 6px; background: var(--vscode-editor-inactiveSelectionBackground, rgba(128, 128, 128, 0.25)); border: 1px solid var(--vscode-contrastBorder, transparent); overflow: hidden; margin: 8px 0 4px; }
.fill { height: 100%; background: var(--vscode-progressBar-background, #0e70c0); }
.muted, .note { color: var(--vscode-descriptionForeground); }
.stats { display: flex; gap: 32px; margin: 16px 0; }
.stat strong { display: block; font-size: 1.6em; font-weight: 500; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 12px 4px 0; border-bottom: 1px solid var(--vscode-panel-border, #444); }
</style></head>
<body>
<h1>Breath Master</h1>
<p class="level" id="level">Level ${view.level} · ${escapeHtml(view.levelTitle)}</p>
<div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${pct}" aria-label="Progress to the next level"><div class="fill" style="width:${pct}%"></div></div>
<p class="muted">${next}</p>
<div class="stats">
<div class="stat" id="xp"><strong>${view.xp} XP</strong>total</div>
<div class="stat" id="streak"><strong>${view.streak}</strong>day streak</div>
<div class="stat"><strong>${view.longestStreak}</strong>longest streak</div>
</div>
${session}
${off}
<h2>Recent sessions</h2>
${table}
</body></html>`;
}

/** One progress panel per window, kept up to date while open. */
export class ProgressPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private lastHtml = '';

  constructor(private readonly render: () => string) {}

  show(): void {
    if (this.panel) {
      this.panel.reveal();
    } else {
      this.panel = vscode.window.createWebviewPanel(PROGRESS_VIEW_TYPE, 'Breath Master: Progress', vscode.ViewColumn.Active, { enableScripts: false });
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.lastHtml = '';
      });
    }
    this.refresh();
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  refresh(): void {
    if (!this.panel) return;
    const html = this.render();
    if (html === this.lastHtml) return;
    this.lastHtml = html;
    this.panel.webview.html = html;
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
