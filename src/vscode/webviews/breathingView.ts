import type * as vscode from 'vscode';
import { formatPattern, type BreathingPattern } from '../../engine/breathing';
import { translator, type Translate, type VscodeApi, type WebviewLogger } from './api';
import { escapeHtml, MEDIA, mediaUri, pageHtml } from './page';

export const BREATHING_VIEW_TYPE = 'breathMaster.breathingView';
export const OPEN_BREATHING_VIEW_COMMAND = 'breathMaster.openBreathingView';

/** VS Code's `workbench.reduceMotion`: "on" stills the circle whatever the OS says, "auto" follows the OS. */
export type ReduceMotion = 'on' | 'off' | 'auto';

/** What the page needs to breathe on its own: the pattern and the instant its cycles are counted from. */
export interface BreathMessage {
  readonly type: 'breath';
  readonly pattern: { readonly name: string; readonly inhale: number; readonly holdIn: number; readonly exhale: number; readonly holdOut: number };
  /** Epoch ms at which a cycle began (the status bar counts every window's cycles from the epoch: 0). */
  readonly origin: number;
  /** The extension host's clock when this was sent: the page corrects its own clock by the difference. */
  readonly hostNow: number;
  readonly reduceMotion: ReduceMotion;
  readonly labels: {
    readonly inhale: string;
    readonly hold: string;
    readonly exhale: string;
    /** "{0}, {1} seconds": the phase announced once per phase to screen readers. */
    readonly announce: string;
    readonly pattern: string;
  };
}

export interface BreathingViewOptions {
  readonly api: VscodeApi;
  readonly extensionUri: vscode.Uri;
  /** The pattern the status bar breathes in this window. */
  readonly pattern: () => BreathingPattern;
  readonly reduceMotion?: () => ReduceMotion;
  /** Whether the goal chime is on (`breathMaster.sessions.goalChime`). */
  readonly chimeEnabled?: () => boolean;
  readonly now?: () => number;
  readonly log?: WebviewLogger;
}

function patternTitle(name: string): string {
  return name.length > 0 ? name[0]?.toUpperCase() + name.slice(1) : name;
}

/**
 * The guided breathing view: an editor panel with a circle that grows on inhale, holds, and shrinks on exhale,
 * in step with the status bar of every window. The extension sends only the pattern and the cycle origin; the page
 * runs one Web Animation per pattern (the compositor moves the circle, no script per frame) and one timer per
 * second for the countdown. The HTML is written once per panel; every later change is a postMessage.
 */
export class BreathingView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly panelDisposables: vscode.Disposable[] = [];
  private lastPosted = '';
  private readonly t: Translate;
  private readonly now: () => number;

  constructor(private readonly options: BreathingViewOptions) {
    this.t = translator(options.api);
    this.now = options.now ?? Date.now;
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** Opens the panel, or brings the open one forward. */
  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const { api } = this.options;
    this.adopt(api.window.createWebviewPanel(BREATHING_VIEW_TYPE, this.t('Breath Master: Breathing'), api.ViewColumn.Active, this.webviewOptions()));
  }

  /**
   * A panel VS Code brought back after a window reload (the WebviewPanelSerializer): it comes with no page and
   * no options, so it gets both again. The page keeps only its announce toggle in `getState`, which VS Code hands
   * back to it; the pattern and the clock come fresh from here. One breathing view per window: a second restored
   * panel (never expected) is closed.
   */
  restore(panel: vscode.WebviewPanel): void {
    if (this.panel && this.panel !== panel) {
      panel.dispose();
      this.panel.reveal();
      return;
    }
    this.adopt(panel);
  }

  private webviewOptions(): vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [this.options.api.Uri.joinPath(this.options.extensionUri, ...MEDIA)] };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    const { api, extensionUri } = this.options;
    this.panel = panel;
    panel.webview.options = this.webviewOptions();
    panel.iconPath = api.Uri.joinPath(extensionUri, ...MEDIA, 'breathing-icon.svg');
    this.panelDisposables.push(
      panel.onDidDispose(() => this.closed()),
      panel.webview.onDidReceiveMessage((m: unknown) => this.received(m)),
    );
    const message = this.message();
    panel.webview.html = this.html(panel.webview, message);
    this.lastPosted = '';
  }

  /** The pattern or a setting changed: tells the page (nothing when nothing it shows changed). */
  update(): void {
    this.post(false);
  }

  /**
   * Plays the goal chime in the page when the chime setting is on and the view is open here; returns whether it
   * was asked to play. The caller decides which window chimes (the one that announces the goal).
   */
  chime(): boolean {
    if (!this.panel || !(this.options.chimeEnabled?.() ?? false)) return false;
    void this.panel.webview.postMessage({ type: 'chime' });
    return true;
  }

  private message(): BreathMessage {
    const p = this.options.pattern();
    return {
      type: 'breath',
      pattern: { name: p.name, inhale: p.inhale, holdIn: p.holdIn, exhale: p.exhale, holdOut: p.holdOut },
      origin: 0,
      hostNow: this.now(),
      reduceMotion: this.options.reduceMotion?.() ?? 'auto',
      labels: {
        inhale: this.t('Inhale'),
        hold: this.t('Hold'),
        exhale: this.t('Exhale'),
        announce: this.t('{0}, {1} seconds'),
        pattern: this.t('{0} pattern · {1}', patternTitle(p.name), formatPattern(p)),
      },
    };
  }

  /** Posts the current state; `always` for a page that just loaded (it may have missed earlier messages). */
  private post(always: boolean): void {
    if (!this.panel) return;
    const message = this.message();
    // hostNow differs every time: compare what the page shows.
    const key = JSON.stringify({ ...message, hostNow: 0 });
    if (!always && key === this.lastPosted) return;
    this.lastPosted = key;
    void this.panel.webview.postMessage(message);
  }

  private received(message: unknown): void {
    if (typeof message !== 'object' || message === null) return;
    const m = message as { type?: unknown; message?: unknown };
    if (m.type === 'ready') this.post(true);
    else if (m.type === 'problem') this.options.log?.warn(`breathing view: ${String(m.message).slice(0, 300)}`);
  }

  private html(webview: vscode.Webview, initial: BreathMessage): string {
    const { api, extensionUri } = this.options;
    const parts = { webview, extensionUri, joinPath: api.Uri.joinPath };
    const t = this.t;
    const body = `<main class="breathing">
<div class="stage" aria-hidden="true"><div class="halo"></div><div id="orb" class="orb" data-step="inhale"></div></div>
<p id="phase" class="phase">${escapeHtml(initial.labels.inhale)}</p>
<p id="seconds" class="seconds" aria-hidden="true"></p>
<p id="live" class="visually-hidden" aria-live="polite" aria-atomic="true"></p>
<p id="pattern" class="pattern">${escapeHtml(initial.labels.pattern)}</p>
<button id="announce" class="quiet" type="button" aria-pressed="true">${escapeHtml(t('Announce each phase'))}</button>
<audio id="chime" src="${escapeHtml(mediaUri(parts, 'chime.wav'))}" preload="auto"></audio>
</main>`;
    return pageHtml({ ...parts, lang: api.env.language, title: t('Breath Master: Breathing'), style: 'breathing.css', script: 'breathing.js', body, initial });
  }

  private closed(): void {
    this.panel = undefined;
    this.lastPosted = '';
    for (const d of this.panelDisposables.splice(0)) d.dispose();
  }

  dispose(): void {
    this.panel?.dispose();
    this.closed();
  }
}
