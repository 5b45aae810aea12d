import * as vscode from 'vscode';
import { nextPatternName, parseCustomPattern } from '../engine/breathing';
import { LEGACY_ONBOARDING_KEY, LEGACY_STATS_KEY } from '../engine/legacy';
import type { ProgressSnapshot } from '../engine/meditationTracker';
import { BreathingStatusBar } from './breathingStatusBar';
import { COMMANDS } from './commandIds';
import { startCore, type Core } from './core';
import { clearData, exportData, importData } from './dataCommands';
import { watchDayRollover } from './dayRollover';
import { createLogger, describeError, type Logger } from './logger';
import { showProgressNotification } from './notifications';
import { ProgressPanel, renderProgressHtml } from './progressPanel';
import { MENU_COMMAND, ProgressStatusBar } from './progressStatusBar';
import { progressViewOf } from './progressText';
import { isTrackingOn } from './progressTracking';
import { openQuickMenu } from './quickMenu';
import { scheduleReminders } from './reminders';
import { endSession, pauseSession, resumeSession, startSession } from './sessionCommands';
import { SECTION, SettingsWatcher, type Settings } from './settings';
import { checkStoredData } from './storedDataCheck';
import { showStorageHealth } from './storageHealth';
import { showWelcome, welcomeOnce } from './welcome';

/** Session timer and cycle counting: once a second is what the `mm:ss` display needs. */
const SESSION_TICK_MS = 1_000;
const SHOW_LOG = 'Show Log';

/**
 * Breath Master in one window: the breathing guide (works without any saved data), and — when the store opens —
 * sessions, progress, the welcome and the commands on top of the shared store. Nothing here throws out of
 * activation: every failure is logged and told to the user, and the breath keeps going.
 */
export class BreathMaster implements vscode.Disposable {
  /** Settles when startup work (legacy import, data check, welcome) is done; never rejects. */
  readonly ready: Promise<void>;
  private readonly logger: Logger;
  private readonly settings: SettingsWatcher;
  private readonly breathing: BreathingStatusBar;
  private readonly progressItem: ProgressStatusBar;
  private readonly panel: ProgressPanel;
  private readonly core: Core | undefined;
  private readonly coreProblem: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly loggedTickErrors = new Set<string>();
  private ticking = false;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.logger = createLogger();
    this.disposables.push(this.logger);
    this.logger.info(`activating in ${vscode.env.appName ?? 'VS Code'}`);
    // Nothing of ours lives in globalState except values of the earlier version that are read once; syncing them
    // between machines would only bring back last-writer-wins (see docs/design.md).
    context.globalState.setKeysForSync([]);

    this.settings = new SettingsWatcher((m) => this.warnSetting(m));
    this.breathing = new BreathingStatusBar(this.settings.current, (m) => this.warnSetting(m));
    this.progressItem = new ProgressStatusBar();
    this.panel = new ProgressPanel(() => this.progressHtml());
    this.disposables.push(this.settings, this.breathing, this.progressItem, this.panel);

    const started = startCore(context, this.logger);
    this.core = started.ok ? started.core : undefined;
    this.coreProblem = started.ok ? undefined : started.reason;
    if (this.core) this.disposables.push(this.core);

    this.registerCommands();
    this.disposables.push(this.settings.onDidChange((s) => this.onSettings(s)));
    if (this.core) this.wireCore(this.core);
    this.renderProgress();
    this.ready = this.startup().catch((error: unknown) => this.logger.error('startup failed', error));
  }

  // ---- wiring ----------------------------------------------------------------------------------------------

  private wireCore(core: Core): void {
    const { tracker, onboarding, store } = core;
    tracker.setPattern(this.breathing.currentPattern);
    this.disposables.push(
      // The store's change feed (another window's commit) arrives here within milliseconds: redraw at once.
      tracker.onDidChangeSnapshot((snapshot) => this.renderProgress(snapshot)),
      onboarding.onDidChange(() => this.renderProgress()),
      tracker.onDidNotify((n) => {
        const shown = showProgressNotification(n, this.settings.current.showNotifications && this.tracking());
        this.logger.info(`${n.kind} notification (${shown ? 'shown' : 'not shown: notifications or tracking off'})`);
      }),
      vscode.window.onDidChangeWindowState((state) => this.background(tracker.setFocused(state.focused), 'focus change')),
      watchDayRollover(() => tracker.refresh()),
      scheduleReminders({
        store,
        cadence: () => this.settings.current.reminderCadence,
        focused: () => vscode.window.state.focused,
        sessionRunning: () => tracker.session() !== null,
        startSession: () => vscode.commands.executeCommand(COMMANDS.startSession),
        log: (m) => this.logger.info(m),
      }),
    );
    this.background(tracker.setFocused(vscode.window.state.focused), 'focus');
    const timer = setInterval(() => this.tick(), SESSION_TICK_MS);
    this.disposables.push({ dispose: () => clearInterval(timer) });
  }

  private async startup(): Promise<void> {
    const core = this.core;
    if (!core) {
      void this.tellProblem(`Breath Master could not open its saved data (${this.coreProblem ?? 'unknown reason'}). The breathing guide works; sessions and progress are unavailable in this window.`);
      return;
    }
    await core.store.ready;
    const globalState = this.context.globalState;
    await this.attempt('importing earlier progress', async () => {
      if (await core.tracker.importLegacy(globalState.get(LEGACY_STATS_KEY))) this.logger.info('imported breathMaster.meditationStats from the earlier version');
    });
    await this.attempt('importing the earlier welcome state', async () => {
      if (await core.onboarding.importLegacy(globalState.get(LEGACY_ONBOARDING_KEY))) this.logger.info('imported breathMaster.onboarding from the earlier version');
    });
    await this.attempt('checking saved data', async () => {
      const { unreadable, odd } = await checkStoredData(core.store);
      const names = [...unreadable, ...odd];
      if (names.length === 0) return;
      this.logger.warn(`saved data: unreadable [${unreadable.join(', ')}], odd [${odd.join(', ')}]`);
      void this.tellProblem(`Breath Master found saved data it could not read (${names.join(', ')}). It carries on from what it could read and kept a copy of the unreadable data; your breathing guide is not affected.`, 'warning');
    });
    await this.attempt('the welcome', async () => {
      await welcomeOnce(core.onboarding, (m) => this.logger.info(m));
    });
    this.renderProgress();
  }

  private onSettings(settings: Settings): void {
    this.breathing.updateSettings(settings);
    const core = this.core;
    if (core) {
      core.tracker.setPattern(this.breathing.currentPattern);
      // Another window may not see this setting for a while: the store carries the choice to all of them now.
      const explicit = settings.gamificationExplicit;
      if (explicit !== undefined && core.onboarding.progressEnabled() !== explicit) {
        this.background(core.onboarding.setProgressChoice(explicit ? 'on' : 'off'), 'saving the progress-tracking choice');
      }
    }
    this.renderProgress();
  }

  private tick(): void {
    const core = this.core;
    if (!core || this.ticking) return;
    this.ticking = true;
    core.tracker.tick()
      .catch((error: unknown) => {
        const text = describeError(error);
        // A broken disk fails every second: log each distinct problem once, not 3600 times an hour.
        if (!this.loggedTickErrors.has(text)) {
          this.loggedTickErrors.add(text);
          this.logger.error('session tick failed', error);
        }
      })
      .finally(() => {
        this.ticking = false;
        if (core.tracker.session() !== null) this.renderProgress();
      });
  }

  // ---- views -----------------------------------------------------------------------------------------------

  private tracking(): boolean {
    return isTrackingOn(this.settings.current, this.core?.onboarding);
  }

  private snapshot(): ProgressSnapshot | undefined {
    try {
      return this.core?.tracker.snapshot();
    } catch (error) {
      this.logger.error('reading progress failed', error);
      return undefined;
    }
  }

  private renderProgress(snapshot: ProgressSnapshot | undefined = this.snapshot()): void {
    this.progressItem.render(snapshot, this.tracking());
    this.panel.refresh();
  }

  private progressHtml(): string {
    const snapshot = this.snapshot();
    if (!snapshot) return `<!DOCTYPE html><html><body><p>Progress is unavailable in this window: ${this.coreProblem ?? 'the saved data could not be read'}.</p></body></html>`;
    return renderProgressHtml(progressViewOf(snapshot), snapshot.recent, this.tracking());
  }

  // ---- commands --------------------------------------------------------------------------------------------

  private registerCommands(): void {
    const withCore = <R>(run: (core: Core) => Promise<R> | R) => async (): Promise<R | undefined> => {
      if (!this.core) {
        void this.tellProblem(`Breath Master's saved data is unavailable in this window (${this.coreProblem ?? 'unknown reason'}). The breathing guide still works.`);
        return undefined;
      }
      return run(this.core);
    };
    const handlers: Record<string, (...args: unknown[]) => unknown> = {
      [COMMANDS.toggle]: () => this.breathing.toggle(),
      [COMMANDS.cyclePattern]: () => this.cyclePattern(),
      [COMMANDS.startSession]: (goal?: unknown) => withCore((c) => startSession(c.tracker, goal))(),
      [COMMANDS.pauseSession]: withCore((c) => pauseSession(c.tracker)),
      [COMMANDS.resumeSession]: withCore((c) => resumeSession(c.tracker)),
      [COMMANDS.endSession]: withCore((c) => endSession(c.tracker, true)),
      [COMMANDS.showProgress]: () => this.panel.show(),
      [COMMANDS.exportData]: withCore((c) => exportData(c.tracker)),
      [COMMANDS.importData]: withCore((c) => importData(c.tracker)),
      [COMMANDS.clearData]: withCore((c) => clearData(c.tracker)),
      [COMMANDS.showWelcome]: () => showWelcome(this.core?.onboarding, (m) => this.logger.info(m)),
      [COMMANDS.showStorageHealth]: () => showStorageHealth(this.core?.store.getMetrics(), this.context.globalStorageUri.fsPath, this.coreProblem),
      [MENU_COMMAND]: () => openQuickMenu(this.core?.tracker.session(), this.breathing.isPaused),
    };
    for (const [id, handler] of Object.entries(handlers)) {
      this.disposables.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          const result = await handler(...args);
          this.renderProgress();
          return result;
        } catch (error) {
          this.logger.error(`${id} failed`, error);
          void this.tellProblem(`Breath Master: ${id.replace('breathMaster.', '')} failed: ${describeError(error)}`);
          return undefined;
        }
      }));
    }
  }

  private async cyclePattern(): Promise<string> {
    const current = this.settings.current;
    const includeCustom = parseCustomPattern(current.customPattern).warning === undefined;
    const next = nextPatternName(current.pattern, includeCustom);
    await vscode.workspace.getConfiguration(SECTION).update('breathing.pattern', next, vscode.ConfigurationTarget.Global);
    vscode.window.setStatusBarMessage?.(`Breath Master: ${next} pattern`, 2_000);
    return next;
  }

  // ---- helpers ---------------------------------------------------------------------------------------------

  private warnSetting(message: string): void {
    this.logger.warn(message);
  }

  private async tellProblem(message: string, severity: 'error' | 'warning' = 'error'): Promise<void> {
    const show = severity === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    const choice = await show(message, SHOW_LOG);
    if (choice === SHOW_LOG) this.logger.show();
  }

  private async attempt(what: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.logger.error(`${what} failed`, error);
    }
  }

  private background(promise: Promise<unknown>, what: string): void {
    promise.catch((error: unknown) => this.logger.error(`${what} failed`, error));
  }

  /** Before the window closes: hand cycle counting to another window at once instead of on lease expiry. */
  async release(): Promise<void> {
    await this.core?.tracker.release().catch((error: unknown) => this.logger.warn(`releasing the counter lease: ${describeError(error)}`));
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) {
      try {
        d.dispose();
      } catch (error) {
        this.logger.warn(`dispose: ${describeError(error)}`);
      }
    }
  }
}
