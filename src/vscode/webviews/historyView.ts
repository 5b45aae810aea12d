import type * as vscode from 'vscode';
import { nextLocalMidnight } from '../../engine/calendar';
import { historyChart, type DayCalendar } from '../../engine/history';
import type { SessionView } from '../../engine/meditationTracker';
import type { HistoryRecord } from '../../engine/progressRecord';
import type { Disposable, Event } from '../../engine/recordStore';
import { translator, type Translate, type VscodeApi, type WebviewLogger } from './api';
import { historyModel, type HistoryModel } from './historyModel';
import { escapeHtml, MEDIA, pageHtml } from './page';

export const HISTORY_VIEW_ID = 'breathMaster.history';
export const HISTORY_CONTAINER_ID = 'breathMaster';
export const SHOW_HISTORY_COMMAND = 'breathMaster.showHistory';

/** The stored history and its change feed: the engine's MeditationTracker has exactly this shape. */
export interface HistorySource {
  history(): HistoryRecord;
  session(): SessionView | null;
  /** Fires on every change of the progress or history record, by this window or another. */
  readonly onDidChangeSnapshot: Event<unknown>;
}

export interface HistoryViewOptions {
  readonly api: VscodeApi;
  readonly extensionUri: vscode.Uri;
  /** Undefined when the saved data could not be opened in this window. */
  readonly source: HistorySource | undefined;
  readonly dailyGoalMinutes?: () => number;
  readonly now?: () => number;
  readonly calendar?: DayCalendar;
  readonly log?: WebviewLogger;
}

/** Store changes come in bursts (a session's end writes two records): one render per burst. */
const COALESCE_MS = 50;
/** While a session runs, today's minutes grow: redraw this often while the view is visible. */
const RUNNING_REFRESH_MS = 60_000;

/**
 * The history, an activity-bar webview view: today, this week and the streak at a glance, a calendar heatmap and a
 * weekly bar chart (markup generated here), and the recent sessions. The HTML is written once per resolved view; each
 * change of the store — committed by any window — posts a new model, and only when it differs from the last one.
 */
export class HistoryView implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private readonly viewDisposables: vscode.Disposable[] = [];
  private readonly subscription: Disposable | undefined;
  private pending: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private lastPosted = '';
  private readonly t: Translate;
  private readonly now: () => number;
  /** How many models were posted (for the log and tests). */
  posts = 0;

  constructor(private readonly options: HistoryViewOptions) {
    this.t = translator(options.api);
    this.now = options.now ?? Date.now;
    this.subscription = options.source?.onDidChangeSnapshot(() => this.schedule());
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.closed();
    const { api, extensionUri } = this.options;
    this.view = view;
    view.webview.options = { enableScripts: true, localResourceRoots: [api.Uri.joinPath(extensionUri, ...MEDIA)] };
    this.viewDisposables.push(
      view.onDidDispose(() => this.closed()),
      view.onDidChangeVisibility(() => this.refresh()),
      view.webview.onDidReceiveMessage((m: unknown) => {
        if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'ready') this.refresh(true);
      }),
    );
    const model = this.model();
    view.webview.html = this.html(view.webview, model);
    this.lastPosted = JSON.stringify(model);
    this.arm();
  }

  /** The model for now; undefined without saved data. */
  model(): HistoryModel | undefined {
    const source = this.options.source;
    if (!source) return undefined;
    const now = this.now();
    const session = source.session();
    const chart = historyChart(source.history().sessions, {
      now,
      calendar: this.options.calendar,
      dailyGoalMinutes: this.options.dailyGoalMinutes?.(),
      running: session ? { startedAt: session.startedAt, activeMs: session.activeMs } : null,
    });
    return historyModel(chart, this.t, this.options.api.env.language);
  }

  private schedule(): void {
    if (!this.view || this.pending !== undefined) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.refresh();
    }, COALESCE_MS);
  }

  /** Posts the model when it changed (or always, to a page that just loaded); nothing while hidden. */
  refresh(always = false): void {
    const view = this.view;
    if (!view) return;
    this.arm();
    if (!view.visible && !always) return;
    let model: HistoryModel | undefined;
    try {
      model = this.model();
    } catch (error) {
      this.options.log?.error('history view: reading the history failed', error);
      return;
    }
    if (!model) return;
    const text = JSON.stringify(model);
    if (!always && text === this.lastPosted) return;
    this.lastPosted = text;
    this.posts++;
    void view.webview.postMessage(model);
  }

  /** One timer for the next change that no store event announces: local midnight, or a running session's minute. */
  private arm(): void {
    if (this.refreshTimer !== undefined) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    if (!this.view?.visible) return;
    const now = this.now();
    const running = this.options.source?.session()?.state === 'running';
    const wait = Math.min(nextLocalMidnight(now) - now + 1_000, running ? RUNNING_REFRESH_MS : Infinity);
    this.refreshTimer = setTimeout(() => this.refresh(), Math.max(1_000, Math.min(wait, 2 ** 31 - 1)));
  }

  private html(webview: vscode.Webview, model: HistoryModel | undefined): string {
    const { api, extensionUri } = this.options;
    const t = this.t;
    const title = t('Breath Master: History');
    if (!model) {
      const body = `<p class="note">${escapeHtml(t('The history is unavailable in this window: the saved data could not be opened.'))}</p>`;
      return pageHtml({ webview, extensionUri, joinPath: api.Uri.joinPath, lang: api.env.language, title, style: 'history.css', script: 'history.js', body, initial: null });
    }
    const stat = (id: string, label: string, value: string) => `<div class="stat"><span class="value" id="${id}">${escapeHtml(value)}</span><span class="label">${escapeHtml(label)}</span></div>`;
    const body = `<main class="history">
<section class="glance" aria-label="${escapeHtml(t('At a glance'))}">
${stat('today', t('today'), model.today)}
${stat('week', t('this week'), model.week)}
${stat('streak', t('streak'), model.streak)}
</section>
<div class="goal"><div class="meter" id="goal-meter" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${model.goalPercent}" aria-labelledby="goal-text"><div class="fill" id="goal-fill"></div></div>
<p class="muted" id="goal-text" aria-live="polite">${escapeHtml(model.goal)}</p></div>
<h2>${escapeHtml(t('Last 26 weeks'))}</h2>
<div class="chart" id="heatmap">${model.heatmapMarkup}</div>
<p class="legend muted" title="${escapeHtml(t('Under half the daily goal, under the goal, the goal, twice the goal'))}" aria-hidden="true">${escapeHtml(t('Less'))} <span class="swatch l0"></span><span class="swatch l1"></span><span class="swatch l2"></span><span class="swatch l3"></span><span class="swatch l4"></span> ${escapeHtml(t('More'))}</p>
<h2>${escapeHtml(t('Weekly minutes'))}</h2>
<div class="chart" id="bars">${model.barsMarkup}</div>
<details><summary>${escapeHtml(t('Weekly minutes as a table'))}</summary>
<table><thead><tr><th scope="col">${escapeHtml(t('Week'))}</th><th scope="col">${escapeHtml(t('Minutes'))}</th></tr></thead><tbody id="week-rows"></tbody></table></details>
<h2>${escapeHtml(t('Recent sessions'))}</h2>
<table id="recent"><thead><tr><th scope="col">${escapeHtml(t('Started'))}</th><th scope="col">${escapeHtml(t('Active'))}</th><th scope="col">${escapeHtml(t('Goal'))}</th></tr></thead><tbody id="recent-rows"></tbody></table>
<p class="note" id="empty" hidden>${escapeHtml(t('No sessions yet. Run Breath Master: Start Session to begin.'))}</p>
</main>`;
    return pageHtml({ webview, extensionUri, joinPath: api.Uri.joinPath, lang: api.env.language, title, style: 'history.css', script: 'history.js', body, initial: model });
  }

  private closed(): void {
    this.view = undefined;
    this.lastPosted = '';
    if (this.pending !== undefined) clearTimeout(this.pending);
    if (this.refreshTimer !== undefined) clearTimeout(this.refreshTimer);
    this.pending = undefined;
    this.refreshTimer = undefined;
    for (const d of this.viewDisposables.splice(0)) d.dispose();
  }

  dispose(): void {
    this.subscription?.dispose();
    this.closed();
  }
}
