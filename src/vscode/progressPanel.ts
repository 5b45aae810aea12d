import * as vscode from 'vscode';
import { sessionXp, type SessionSummary } from '../engine/progressRecord';
import { durationText } from './durationText';
import { days, sessionTime, stateWord, type ProgressView } from './progressText';

export const PROGRESS_VIEW_TYPE = 'breathMaster.progress';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** A date and time in the user's display language (VS Code's, not the OS's), e.g. "10 Jun 2024, 09:00". */
export function localDateTime(ms: number, locale: string = vscode.env.language): string {
  const d = new Date(ms);
  if (!Number.isFinite(d.getTime())) return '—';
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
  } catch {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
  }
}

/** Everything the page shows, as plain data: the page's script puts it into place (textContent only). */
export interface ProgressModel {
  readonly tracking: boolean;
  readonly level: string;
  readonly percent: number;
  readonly next: string;
  readonly xp: string;
  readonly streak: string;
  readonly longest: string;
  readonly session: string;
  /** Started, active, goal, and (tracking on) earned. */
  readonly rows: readonly (readonly string[])[];
  /** Shown when there are no rows. */
  readonly empty: string;
}

export function progressModel(view: ProgressView, recent: readonly SessionSummary[], tracking: boolean): ProgressModel {
  const pct = Math.round(Math.min(1, Math.max(0, view.levelProgress)) * 100);
  return {
    tracking,
    level: vscode.l10n.t('Level {0} · {1}', view.level, view.levelTitle),
    percent: pct,
    next: view.xpToNext !== undefined && view.nextTitle !== undefined
      ? vscode.l10n.t('{0} XP to level {1} · {2}', view.xpToNext, view.level + 1, view.nextTitle)
      : vscode.l10n.t('Top level reached'),
    xp: vscode.l10n.t('{0} XP', view.xp),
    streak: days(view.streak),
    longest: days(view.longestStreak),
    session: view.session ? vscode.l10n.t('Session {0}: {1}', stateWord(view.session.state), sessionTime(view.session)) : vscode.l10n.t('No session running.'),
    // During a first session "No sessions yet" just below "Session running" contradicted it: the list holds
    // finished sessions only, so that is what it says is missing.
    empty: view.session ? vscode.l10n.t('No finished sessions yet.') : vscode.l10n.t('No sessions yet. Run Breath Master: Start Session to begin.'),
    rows: [...recent].reverse().slice(0, 10).map((s) => {
      const row = [localDateTime(s.startedAt), durationText(s.activeMs, vscode.l10n.t), vscode.l10n.t('{0} min', s.goalMinutes)];
      return tracking ? [...row, vscode.l10n.t('{0} XP', sessionXp(s))] : row;
    }),
  };
}

function nonce(): string {
  return globalThis.crypto.randomUUID().replace(/-/g, '');
}

/**
 * The progress page: a level bar, the streak, the running session and the recent sessions; with tracking off only
 * the sessions (no levels, no XP). Written once; afterwards the extension posts a fresh `ProgressModel` and the
 * page's script (CSP: only this nonce'd script) updates the text in place — no reload, no lost scroll position,
 * screen readers keep their place.
 */
export function renderProgressHtml(view: ProgressView, recent: readonly SessionSummary[], tracking: boolean, cspSource = ''): string {
  const model = progressModel(view, recent, tracking);
  const n = nonce();
  const head = (tracking ? [vscode.l10n.t('Started'), vscode.l10n.t('Active'), vscode.l10n.t('Goal'), vscode.l10n.t('Earned')] : [vscode.l10n.t('Started'), vscode.l10n.t('Active'), vscode.l10n.t('Goal')])
    .map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = model.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  const hidden = tracking ? '' : ' hidden';
  return `<!DOCTYPE html>
<html lang="${escapeHtml(vscode.env.language ?? 'en')}"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline' ${cspSource}; script-src 'nonce-${n}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(vscode.l10n.t('Breath Master: Progress'))}</title>
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
<div id="tracked"${hidden}>
<p class="level" id="level">${escapeHtml(model.level)}</p>
<div class="bar" id="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${model.percent}" aria-label="${escapeHtml(vscode.l10n.t('Progress to the next level'))}"><div class="fill" id="fill" style="width:${model.percent}%"></div></div>
<p class="muted" id="next">${escapeHtml(model.next)}</p>
<div class="stats">
<div class="stat"><strong id="xp">${escapeHtml(model.xp)}</strong>${escapeHtml(vscode.l10n.t('total'))}</div>
<div class="stat"><strong id="streak">${escapeHtml(model.streak)}</strong>${escapeHtml(vscode.l10n.t('streak'))}</div>
<div class="stat"><strong id="longest">${escapeHtml(model.longest)}</strong>${escapeHtml(vscode.l10n.t('longest streak'))}</div>
</div>
</div>
<p class="session" id="session" aria-live="polite">${escapeHtml(model.session)}</p>
<p class="note" id="off"${tracking ? ' hidden' : ''}>${escapeHtml(vscode.l10n.t('Progress tracking is off: no XP, levels or streaks are kept. Set Breath Master › Progress: Tracking to "on" to turn it on.'))}</p>
<h2>${escapeHtml(vscode.l10n.t('Recent sessions'))}</h2>
<table id="table"${rows ? '' : ' hidden'}><thead><tr id="head">${head}</tr></thead><tbody id="rows">${rows}</tbody></table>
<p id="empty"${rows ? ' hidden' : ''}>${escapeHtml(model.empty)}</p>
<script nonce="${n}">
(() => {
  const $ = (id) => document.getElementById(id);
  window.addEventListener('message', (event) => {
    const m = event.data;
    if (!m || m.type !== 'progress') return;
    const set = (id, text) => { const el = $(id); if (el.textContent !== text) el.textContent = text; };
    $('tracked').hidden = !m.tracking;
    $('off').hidden = m.tracking;
    set('level', m.level); set('next', m.next); set('xp', m.xp); set('streak', m.streak); set('longest', m.longest); set('session', m.session); set('empty', m.empty);
    $('fill').style.width = m.percent + '%';
    $('bar').setAttribute('aria-valuenow', String(m.percent));
    const key = JSON.stringify([m.head, m.rows]);
    if ($('rows').dataset.key !== key) {
      $('rows').dataset.key = key;
      $('head').replaceChildren(...m.head.map((h) => { const th = document.createElement('th'); th.textContent = h; return th; }));
      $('rows').replaceChildren(...m.rows.map((r) => { const tr = document.createElement('tr'); for (const c of r) { const td = document.createElement('td'); td.textContent = c; tr.append(td); } return tr; }));
    }
    $('table').hidden = m.rows.length === 0;
    $('empty').hidden = m.rows.length !== 0;
  });
})();
</script>
</body></html>`;
}

export interface ProgressSource {
  /** The page's data, or a reason why there is none in this window. */
  model(): { view: ProgressView; recent: readonly SessionSummary[]; tracking: boolean } | { problem: string };
}

/** One progress panel per window: its HTML is set once, then kept up to date by `postMessage`. */
export class ProgressPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private lastPosted = '';
  private lastProblem: string | undefined;

  constructor(private readonly source: ProgressSource) {}

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    this.panel = vscode.window.createWebviewPanel(PROGRESS_VIEW_TYPE, vscode.l10n.t('Breath Master: Progress'), vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [] });
    this.panel.onDidDispose(() => {
      this.panel = undefined;
      this.lastPosted = '';
      this.lastProblem = undefined;
    });
    // A hidden webview is unloaded (no retainContextWhenHidden: it would keep a renderer alive for nothing); shown
    // again it starts from its first HTML, so it gets the current data at once.
    this.panel.onDidChangeViewState((e) => {
      if (!e.webviewPanel.visible) return;
      this.lastPosted = '';
      this.refresh();
    });
    this.write();
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  private write(): void {
    if (!this.panel) return;
    const data = this.source.model();
    if ('problem' in data) {
      this.lastProblem = data.problem;
      this.panel.webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none';"></head><body><p>${escapeHtml(vscode.l10n.t('Progress is unavailable in this window: {0}.', data.problem))}</p></body></html>`;
      return;
    }
    this.lastProblem = undefined;
    this.panel.webview.html = renderProgressHtml(data.view, data.recent, data.tracking, this.panel.webview.cspSource);
    this.lastPosted = JSON.stringify(this.message(data));
  }

  private message(data: { view: ProgressView; recent: readonly SessionSummary[]; tracking: boolean }) {
    const model = progressModel(data.view, data.recent, data.tracking);
    const head = data.tracking ? [vscode.l10n.t('Started'), vscode.l10n.t('Active'), vscode.l10n.t('Goal'), vscode.l10n.t('Earned')] : [vscode.l10n.t('Started'), vscode.l10n.t('Active'), vscode.l10n.t('Goal')];
    return { type: 'progress', head, ...model };
  }

  /** Sends what changed (nothing when nothing did); never reassigns the HTML of a page that is working. */
  refresh(): void {
    if (!this.panel) return;
    const data = this.source.model();
    if ('problem' in data || this.lastProblem !== undefined) {
      if (!('problem' in data) || data.problem !== this.lastProblem) this.write();
      return;
    }
    const message = this.message(data);
    const text = JSON.stringify(message);
    if (text === this.lastPosted) return;
    this.lastPosted = text;
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
