import type * as vscode from 'vscode';
import { resolvePattern, type BreathingPattern } from '../../engine/breathing';
import type { DayCalendar } from '../../engine/history';
import type { SessionView } from '../../engine/meditationTracker';
import type { Event } from '../../engine/recordStore';
import type { VscodeApi, WebviewLogger } from './api';
import { BREATHING_VIEW_TYPE, BreathingView, OPEN_BREATHING_VIEW_COMMAND, type ReduceMotion } from './breathingView';
import { HISTORY_VIEW_ID, HistoryView, SHOW_HISTORY_COMMAND, type HistorySource } from './historyView';

export { BREATHING_VIEW_TYPE, BreathingView, OPEN_BREATHING_VIEW_COMMAND } from './breathingView';
export { HISTORY_CONTAINER_ID, HISTORY_VIEW_ID, HistoryView, SHOW_HISTORY_COMMAND, type HistorySource } from './historyView';
export type { VscodeApi, WebviewLogger } from './api';

/** Settings these views read (declared in contributes.json). */
export const GOAL_CHIME_SETTING = 'sessions.goalChime';
export const DAILY_GOAL_SETTING = 'goals.dailyMinutes';
const SECTION = 'breathMaster';

export interface WebviewDeps {
  /** The `vscode` module (or a fake). */
  readonly vscode: VscodeApi;
  readonly extensionUri: vscode.Uri;
  /** The engine's MeditationTracker (history, session, change feed); undefined when the store did not open. */
  readonly history: HistorySource | undefined;
  /**
   * The pattern the status bar breathes in this window, and its change event. Without them the pattern is read
   * from `breathMaster.breathing.pattern` / `customPattern` with the engine's rules, as the status bar does.
   */
  readonly pattern?: () => BreathingPattern;
  readonly onDidChangePattern?: Event<unknown>;
  /** The tracker's onDidReachGoal (fires in one window per session): chimes there when the chime setting is on. */
  readonly onDidReachGoal?: Event<SessionView>;
  readonly logger?: WebviewLogger;
  readonly now?: () => number;
  readonly calendar?: DayCalendar;
}

export interface Webviews extends vscode.Disposable {
  readonly breathing: BreathingView;
  readonly history: HistoryView;
  /** Plays the goal chime in the breathing view (when open here and the setting is on); returns whether it did. */
  chime(): boolean;
}

/**
 * Registers the breathing view (command breathMaster.openBreathingView), the history view (view breathMaster.history
 * in the Breath Master activity-bar container, command breathMaster.showHistory) and the goal chime. Dispose the
 * result on deactivation.
 */
export function registerWebviews(deps: WebviewDeps): Webviews {
  const api = deps.vscode;
  const config = () => api.workspace.getConfiguration(SECTION);
  const configuredPattern = (): BreathingPattern => resolvePattern(config().get<unknown>('breathing.pattern'), config().get<unknown>('breathing.customPattern')).pattern;
  const reduceMotion = (): ReduceMotion => {
    const v = api.workspace.getConfiguration('workbench').get<unknown>('reduceMotion');
    return v === 'on' || v === 'off' ? v : 'auto';
  };
  const chimeEnabled = () => config().get<unknown>(GOAL_CHIME_SETTING) === true;
  const dailyGoalMinutes = () => {
    const v = config().get<unknown>(DAILY_GOAL_SETTING);
    return typeof v === 'number' && Number.isFinite(v) && v >= 1 ? Math.min(1440, Math.floor(v)) : 10;
  };

  const breathing = new BreathingView({ api, extensionUri: deps.extensionUri, pattern: deps.pattern ?? configuredPattern, reduceMotion, chimeEnabled, now: deps.now, log: deps.logger });
  const history = new HistoryView({ api, extensionUri: deps.extensionUri, source: deps.history, dailyGoalMinutes, now: deps.now, calendar: deps.calendar, log: deps.logger });

  const disposables: vscode.Disposable[] = [
    breathing,
    history,
    api.window.registerWebviewViewProvider(HISTORY_VIEW_ID, history),
    api.commands.registerCommand(OPEN_BREATHING_VIEW_COMMAND, () => breathing.show()),
    // A breathing view open when the window reloads comes back (package.json: activationEvents onWebviewPanel:…).
    ...(api.window.registerWebviewPanelSerializer
      ? [api.window.registerWebviewPanelSerializer(BREATHING_VIEW_TYPE, { deserializeWebviewPanel: async (panel) => breathing.restore(panel) })]
      : []),
    // Every view gets a `<id>.focus` command: it opens the container and resolves the view.
    api.commands.registerCommand(SHOW_HISTORY_COMMAND, () => api.commands.executeCommand(`${HISTORY_VIEW_ID}.focus`)),
    api.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.breathing`) || e.affectsConfiguration('workbench.reduceMotion')) breathing.update();
      if (e.affectsConfiguration(`${SECTION}.${DAILY_GOAL_SETTING}`)) history.refresh();
    }),
  ];
  if (deps.onDidChangePattern) disposables.push(deps.onDidChangePattern(() => breathing.update()));
  if (deps.onDidReachGoal) {
    disposables.push(deps.onDidReachGoal(() => {
      if (breathing.chime()) deps.logger?.info('goal chime played in the breathing view');
    }));
  }
  return {
    breathing,
    history,
    chime: () => breathing.chime(),
    dispose: () => {
      for (const d of disposables.splice(0).reverse()) d.dispose();
    },
  };
}
