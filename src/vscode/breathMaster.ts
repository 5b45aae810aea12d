import * as vscode from 'vscode';
import { nextPatternName, parseCustomPattern } from '../engine/breathing';
import { LEGACY_ONBOARDING_KEY, LEGACY_STATS_KEY } from '../engine/legacy';
import { mayHaveApplied, type ProgressSnapshot } from '../engine/meditationTracker';
import { PROGRESS_KEY } from '../engine/progressRecord';
import { BreathingStatusBar } from './breathingStatusBar';
import { COMMANDS, CONTEXT } from './commandIds';
import { startCore, type Core } from './core';
import { clearData, exportData, importData } from './dataCommands';
import { watchDayRollover } from './dayRollover';
import { createLogger, describeError, type Logger } from './logger';
import { showProgressNotification } from './notifications';
import { ProgressPanel } from './progressPanel';
import { ProgressStatusBar } from './progressStatusBar';
import { progressViewOf } from './progressText';
import { SettingsSyncBridge, SYNCED_PROGRESS_KEY } from './settingsSync';
import { isTrackingOn } from './progressTracking';
import { openQuickMenu } from './quickMenu';
import { scheduleReminders } from './reminders';
import { endSession, pauseSession, resumeSession, showGoalReached, startSession } from './sessionCommands';
import { migrateTrackingSetting, patternTarget, SECTION, SettingsWatcher, type Settings } from './settings';
import { checkStoredData } from './storedDataCheck';
import { StorageHealthView } from './storageHealth';
import { registerWebviews } from './webviews';
import { scheduleWeeklySummary } from './weeklySummary';
import { showWelcome, welcomeOnce } from './welcome';

/** While a session runs: its `mm:ss` timer and cycle counting need a look once a second. */
const RUNNING_TICK_MS = 1_000;
/** While it is paused nothing moves; a slow look notices a pause that has gone on too long (it then ends). */
const PAUSED_TICK_MS = 60_000;

/**
 * Breath Master in one window: the breathing guide (works without any saved data), and — when the store opens —
 * sessions, progress, the welcome and the commands on top of the shared store. Nothing here throws out of
 * activation: every failure is logged and told to the user, and the breath keeps going.
 */
export class BreathMaster implements vscode.Disposable {
  /**
   * Settles once the store is open (or failed to open), the engine is wired and the views are registered; never
   * rejects. `activate` returns before this: only the breathing guide and the commands are needed for the first paint.
   */
  readonly opened: Promise<void>;
  /** Settles when startup work (legacy import, data check, welcome) is done; never rejects. */
  readonly ready: Promise<void>;
  private readonly logger: Logger;
  private readonly settings: SettingsWatcher;
  private readonly breathing: BreathingStatusBar;
  private readonly progressItem: ProgressStatusBar;
  private readonly panel: ProgressPanel;
  private readonly health: StorageHealthView;
  /** Undefined until `opened` (and after it when the store could not be opened: see `coreProblem`). */
  private core: Core | undefined;
  private coreProblem: string | undefined;
  private disposed = false;
  /** `open` has run: the core (or its problem) is known. */
  private isOpen = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly loggedTickErrors = new Set<string>();
  private syncBridge: SettingsSyncBridge | undefined;
  private readonly contexts = new Map<string, unknown>();
  private ticking = false;
  private tickTimer: ReturnType<typeof setInterval> | undefined;
  private tickEvery = 0;
  private lastTracking: boolean | undefined;
  private trackingSetting: Settings['tracking'];
  private storeProblemShown = false;
  /** The earlier version's progress is in globalState and its import has not run yet: until it has, the progress
   * item stays hidden, so an upgraded user never sees "Lv 1 · 0 XP" for a moment. */
  private legacyPending: boolean;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.logger = createLogger();
    this.disposables.push(this.logger);
    this.logger.info(`activating in ${vscode.env.appName ?? 'VS Code'}`);
    this.legacyPending = context.globalState.get(LEGACY_STATS_KEY) !== undefined;

    this.settings = new SettingsWatcher((m) => this.warnSetting(m));
    // Of our globalState only the synced progress travels (a CRDT every machine merges: settingsSync.ts); the earlier
    // version's values are read once and would only bring back last-writer-wins between machines.
    context.globalState.setKeysForSync(this.settings.current.syncProgress ? [SYNCED_PROGRESS_KEY] : []);
    this.trackingSetting = this.settings.current.tracking;
    this.breathing = new BreathingStatusBar(this.settings.current, (m) => this.warnSetting(m), Date.now, vscode.window.state.focused);
    this.progressItem = new ProgressStatusBar();
    this.panel = new ProgressPanel({ model: () => this.progressModel() });
    this.health = new StorageHealthView(() => ({
      metrics: this.core?.store.getMetrics(),
      storagePath: this.context.globalStorageUri.fsPath,
      problem: this.coreProblem,
      sync: this.core ? { enabled: this.settings.current.syncProgress, record: this.core.sync.record() } : undefined,
    }));
    this.disposables.push(this.settings, this.breathing, this.progressItem, this.panel, this.health);

    this.registerCommands();
    this.disposables.push(
      this.settings.onDidChange((s) => this.onSettings(s)),
      vscode.window.onDidChangeWindowState((state) => this.onFocus(state.focused)),
    );
    // Opening the store reads every record from disk and wiring the engine costs as much again: done on the next
    // turn of the event loop, after `activate` has returned ("Call Activate" in Developer: Startup Performance).
    // Commands wait for it (see registerCommands); `activate` hands VS Code this promise, so a command or view that
    // activated the extension is run only once it is done.
    this.opened = new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => this.open());
    this.ready = this.opened.then(() => this.startup()).catch((error: unknown) => this.logger.error('startup failed', error));
  }

  /** Opens the store and wires everything on top of it; never throws (the breath goes on without saved data). */
  private open(): void {
    if (this.disposed) return;
    try {
      const started = startCore(this.context, this.logger);
      this.core = started.ok ? started.core : undefined;
      this.coreProblem = started.ok ? undefined : started.reason;
      if (this.core) {
        this.disposables.push(this.core);
        this.wireCore(this.core);
      }
    } catch (error) {
      this.logger.error('wiring the saved data failed', error);
      this.coreProblem ??= describeError(error);
    }
    try {
      // The guided breathing view and the history view (with the goal chime); both follow this window's pattern.
      this.disposables.push(
        registerWebviews({
          vscode,
          extensionUri: this.context.extensionUri,
          history: this.core?.tracker,
          pattern: () => this.breathing.currentPattern,
          onDidChangePattern: this.settings.onDidChange,
          onDidReachGoal: this.core?.tracker.onDidReachGoal,
          logger: this.logger,
        }),
      );
    } catch (error) {
      this.logger.error('registering the views failed', error);
    }
    this.isOpen = true;
    this.setContext(CONTEXT.dataAvailable, this.core !== undefined);
    this.render();
  }

  // ---- wiring ----------------------------------------------------------------------------------------------

  private wireCore(core: Core): void {
    const { tracker, onboarding, store } = core;
    tracker.setPattern(this.breathing.currentPattern);
    tracker.setTracking(this.tracking());
    this.disposables.push(
      // The store's change feed (another window's commit) arrives here within milliseconds: redraw at once.
      tracker.onDidChangeSnapshot((snapshot) => this.render(snapshot)),
      onboarding.onDidChange(() => this.render()),
      store.onDidChange(() => this.health.storeChanged()),
      tracker.onDidNotify((n) => {
        const shown = showProgressNotification(n, this.settings.current.showNotifications && this.tracking());
        this.logger.info(`${n.kind} notification (${shown ? 'shown' : 'not shown: notifications or tracking off'})`);
      }),
      // Clear Data in another window ended the session this window was showing: its timer would otherwise just
      // vanish. Said once, in each window that showed it (a toast is per window; the one that cleared knows).
      tracker.onDidDiscardSession(() => {
        void vscode.window.showInformationMessage(vscode.l10n.t('Breath Master: your data was cleared in another window, so the session running here has ended.'));
      }),
      tracker.onDidReachGoal((session) => {
        void showGoalReached(tracker, session, (m) => this.logger.info(m))
          .then(() => this.render())
          .catch((error: unknown) => this.logger.error('goal message failed', error));
      }),
      watchDayRollover(() => tracker.refresh()),
      scheduleReminders({
        store,
        cadence: () => this.settings.current.reminderCadence,
        focused: () => vscode.window.state.focused,
        sessionRunning: () => tracker.session()?.state === 'running',
        startSession: () => vscode.commands.executeCommand(COMMANDS.startSession),
        log: (m) => this.logger.info(m),
      }),
      // Last week's summary, once a week, in the focused window (claimed in the store; see weeklySummary.ts).
      scheduleWeeklySummary({
        store,
        sessions: () => tracker.history().sessions,
        tracking: () => this.tracking(),
        focused: () => vscode.window.state.focused,
        sessionRunning: () => tracker.session()?.state === 'running',
        log: (m) => this.logger.info(m),
      }, {
        onDidChangeFocus: (listener) => vscode.window.onDidChangeWindowState((state) => listener(state.focused)),
        onDidEndDebugging: vscode.debug?.onDidTerminateDebugSession,
        onDidChangeProgress: tracker.onDidChangeSnapshot,
      }),
      { dispose: () => this.stopTicking() },
    );
    this.syncBridge = new SettingsSyncBridge({
      globalState: this.context.globalState,
      sync: core.sync,
      enabled: () => this.settings.current.syncProgress,
      focused: () => vscode.window.state.focused,
      sessionRunning: () => core.tracker.session()?.state === 'running',
      log: (level, m) => this.logger[level](m),
    });
    this.disposables.push(
      this.syncBridge,
      store.onDidChange((e) => {
        if (e.key === PROGRESS_KEY) this.syncBridge?.progressChanged();
      }),
    );
    this.background(tracker.setFocused(vscode.window.state.focused), 'focus');
  }

  private async startup(): Promise<void> {
    await this.attempt('moving gamification.enabled to progress.tracking', async () => {
      if (await migrateTrackingSetting()) this.logger.info('moved breathMaster.gamification.enabled to breathMaster.progress.tracking');
    });
    const core = this.core;
    if (!core) {
      void this.tellProblem(vscode.l10n.t('Breath Master could not open its saved data ({0}). The breathing guide works; sessions and progress are unavailable in this window.', this.coreProblem ?? 'unknown reason'));
      return;
    }
    const globalState = this.context.globalState;
    await this.attempt('importing earlier progress', async () => {
      if (await core.tracker.importLegacy(globalState.get(LEGACY_STATS_KEY))) this.logger.info('imported breathMaster.meditationStats from the earlier version');
    });
    this.legacyPending = false;
    this.render();
    await this.attempt('importing the earlier welcome state', async () => {
      if (await core.onboarding.importLegacy(globalState.get(LEGACY_ONBOARDING_KEY))) this.logger.info('imported breathMaster.onboarding from the earlier version');
    });
    await this.attempt('checking saved data', async () => {
      const { unreadable, odd } = await checkStoredData(core.store);
      const names = [...unreadable, ...odd];
      if (names.length === 0) return;
      this.logger.warn(`saved data: unreadable [${unreadable.join(', ')}], odd [${odd.join(', ')}]`);
      void this.tellProblem(vscode.l10n.t('Breath Master found saved data it could not read ({0}). It carries on from what it could read and kept a copy of the unreadable data; your breathing guide is not affected.', names.join(', ')), 'warning');
    });
    await this.attempt('the welcome', async () => {
      await welcomeOnce(core.onboarding, (m) => this.logger.info(m), this.settings.current.tracking);
    });
    this.render();
  }

  private onSettings(settings: Settings): void {
    this.breathing.updateSettings(settings);
    const previous = this.trackingSetting;
    this.trackingSetting = settings.tracking;
    const apply = (): void => {
      if (this.disposed) return;
      const core = this.core;
      if (core) {
        core.tracker.setPattern(this.breathing.currentPattern);
        // Another window may not see this setting for a while: the store carries the choice to all of them now.
        // "ask" (the setting reset to its default) forgets the choice: not chosen, tracking off, as the UI says.
        // Only when this setting itself changed: another setting's change must not touch the choice.
        this.syncBridge?.applySetting();
        if (settings.tracking !== previous) {
          const choice = settings.tracking === 'ask' ? null : settings.tracking;
          this.background(core.onboarding.setProgressChoice(choice), 'saving the progress-tracking choice');
        }
      }
      this.render();
    };
    // A change in the moment before the store is open is applied once it is.
    if (this.isOpen) apply();
    else void this.opened.then(apply);
  }

  private onFocus(focused: boolean): void {
    this.breathing.setFocused(focused);
    const core = this.core;
    if (!core) return;
    // (Back in this window, the store re-reads its records itself: @breath-master/store/vscode's openStore.)
    this.background(core.tracker.setFocused(focused), 'focus change');
    this.syncBridge?.focusChanged(focused);
  }

  // ---- the session timer: only while a session exists --------------------------------------------------------

  private scheduleTicks(snapshot: ProgressSnapshot | undefined): void {
    const state = snapshot?.session?.state;
    const every = state === 'running' ? RUNNING_TICK_MS : state === 'paused' ? PAUSED_TICK_MS : 0;
    if (every === this.tickEvery) return;
    this.stopTicking();
    this.tickEvery = every;
    if (every > 0) this.tickTimer = setInterval(() => this.tick(), every);
  }

  private stopTicking(): void {
    if (this.tickTimer !== undefined) clearInterval(this.tickTimer);
    this.tickTimer = undefined;
    this.tickEvery = 0;
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
          this.logger.error(`session tick failed${mayHaveApplied(error) ? ' (it may have been saved: re-reading before the next one)' : ''}`, error);
        }
      })
      .finally(() => {
        this.ticking = false;
        this.render();
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

  /** Brings everything this window shows in line with the store; each part touches the UI only if it changed. */
  private render(snapshot: ProgressSnapshot | undefined = this.snapshot()): void {
    const tracking = this.tracking();
    if (tracking !== this.lastTracking) {
      this.lastTracking = tracking;
      this.core?.tracker.setTracking(tracking);
    }
    this.progressItem.render(this.legacyPending ? undefined : snapshot, tracking);
    this.panel.refresh();
    this.scheduleTicks(snapshot);
    this.setContext(CONTEXT.sessionState, snapshot?.session?.state ?? 'none');
    this.setContext(CONTEXT.breathingPaused, this.breathing.isPaused);
    this.setContext(CONTEXT.tracking, tracking);
  }

  private progressModel() {
    const snapshot = this.snapshot();
    if (!snapshot) return { problem: this.coreProblem ?? vscode.l10n.t('the saved data could not be read') };
    return { view: progressViewOf(snapshot), recent: snapshot.recent, tracking: this.tracking() };
  }

  /** `setContext` only when the value changed (each call is a message to the workbench). */
  private setContext(key: string, value: unknown): void {
    if (this.contexts.has(key) && this.contexts.get(key) === value) return;
    this.contexts.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  // ---- commands --------------------------------------------------------------------------------------------

  private registerCommands(): void {
    const withCore = <R>(run: (core: Core) => Promise<R> | R) => async (): Promise<R | undefined> => {
      if (!this.core) {
        void this.tellProblem(vscode.l10n.t("Breath Master's saved data is unavailable in this window ({0}). The breathing guide still works.", this.coreProblem ?? 'unknown reason'));
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
      [COMMANDS.clearData]: withCore((c) => clearData(c.tracker, this.settings.current.syncProgress ? c.sync : undefined)),
      [COMMANDS.showWelcome]: () => showWelcome(this.core?.onboarding, (m) => this.logger.info(m)),
      [COMMANDS.showStorageHealth]: () => this.health.show(),
      [COMMANDS.openMenu]: () => openQuickMenu(this.core?.tracker.session(), this.breathing.isPaused),
    };
    for (const [id, handler] of Object.entries(handlers)) {
      this.disposables.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          // A command in the first moment after activation waits the few milliseconds until the store is open.
          await this.opened;
          const result = await handler(...args);
          this.render();
          return result;
        } catch (error) {
          this.logger.error(`${id} failed`, error);
          // Never repeated for the user: an update that may have been saved is not re-issued (it could apply twice).
          const maybe = mayHaveApplied(error) ? ` ${vscode.l10n.t('It may have been saved; look again before repeating it.')}` : '';
          void this.tellProblem(vscode.l10n.t('Breath Master: {0} failed: {1}', id.replace('breathMaster.', ''), describeError(error)) + maybe);
          return undefined;
        }
      }));
    }
  }

  private async cyclePattern(): Promise<string> {
    const current = this.settings.current;
    const includeCustom = parseCustomPattern(current.customPattern).warning === undefined;
    const next = nextPatternName(current.pattern, includeCustom);
    // Written where the current value comes from: a workspace value would otherwise shadow a user-level write.
    await vscode.workspace.getConfiguration(SECTION).update('breathing.pattern', next, patternTarget());
    vscode.window.setStatusBarMessage?.(vscode.l10n.t('Breath Master: {0} pattern', next), 2_000);
    return next;
  }

  // ---- helpers ---------------------------------------------------------------------------------------------

  private warnSetting(message: string): void {
    this.logger.warn(message);
  }

  private async tellProblem(message: string, severity: 'error' | 'warning' = 'error'): Promise<void> {
    const show = severity === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    const showLog = vscode.l10n.t('Show Log');
    const choice = await show(message, showLog);
    if (choice === showLog) this.logger.show();
  }

  private async attempt(what: string, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.logger.error(`${what} failed`, error);
      // The store opens read-only when its folder cannot be written: say so once, instead of failing silently.
      if (error instanceof Error && error.name === 'StoreError' && !this.storeProblemShown) {
        this.storeProblemShown = true;
        void this.tellProblem(vscode.l10n.t('Breath Master cannot save its data in this window ({0}). The breathing guide works; sessions and progress are not saved.', error.message));
      }
    }
  }

  private background(promise: Promise<unknown>, what: string): void {
    promise.catch((error: unknown) => this.logger.error(`${what} failed`, error));
  }

  /**
   * Before the window closes: hand cycle counting to another window at once (instead of on lease expiry), give
   * back an unanswered welcome, and close the store — resolving once its queued updates have finished.
   */
  async release(): Promise<void> {
    await this.opened;
    const core = this.core;
    if (!core) return;
    this.stopTicking();
    await core.tracker.release().catch((error: unknown) => this.logger.warn(`releasing the counter lease: ${describeError(error)}`));
    await core.onboarding.releaseWelcome().catch((error: unknown) => this.logger.warn(`releasing the welcome: ${describeError(error)}`));
    await core.close();
  }

  dispose(): void {
    this.disposed = true;
    for (const d of this.disposables.splice(0).reverse()) {
      try {
        d.dispose();
      } catch (error) {
        this.logger.warn(`dispose: ${describeError(error)}`);
      }
    }
  }
}
