import type * as vscode from 'vscode';
import { MeditationTracker } from '../engine/meditationTracker';
import { OnboardingManager } from '../engine/onboardingManager';
import { ProgressSync } from '../engine/progressSync';
import type { StorageWrapper } from '@breath-master/store';
import { openStore } from '@breath-master/store/vscode';
import { describeError, type Logger } from './logger';
import { testMinuteMs } from './testHooks';

/** The store and the engine on top of it: everything that depends on saved data. */
export interface Core extends vscode.Disposable {
  readonly store: StorageWrapper;
  readonly tracker: MeditationTracker;
  readonly onboarding: OnboardingManager;
  /** Progress across machines (Settings Sync carries it: see settingsSync.ts). */
  readonly sync: ProgressSync;
  /** Stops the engine and closes the store, resolving once its queued updates have finished (await it in deactivate). */
  close(): Promise<void>;
}

export type CoreStart = { ok: true; core: Core } | { ok: false; reason: string };

/**
 * Opens the store under `globalStorageUri` and builds the engine. Never throws: a storage folder that cannot be
 * created, or anything else going wrong here, must not stop the breathing guide — the caller gets the reason.
 */
export function startCore(context: vscode.ExtensionContext, logger: Logger): CoreStart {
  let store: StorageWrapper | undefined;
  try {
    // Only the folder: legacy globalState values are imported by the engine (exactly once, flagged in its records).
    // The store's own VS Code entry point: it also re-reads the records when this window regains focus (a backstop
    // for a missed change-feed event) and closes the store with the extension.
    store = openStore(context, { log: { debug: (m) => logger.debug(m), info: (m) => logger.info(m), warn: (m) => logger.warn(m), error: (m) => logger.error(String(m)) } });
    const minuteMs = testMinuteMs();
    if (minuteMs !== undefined) logger.warn(`test hook: a minute of a session goal is ${minuteMs} ms (BREATH_MASTER_TEST_MINUTE_MS)`);
    const tracker = new MeditationTracker(store, { log: logger.sink, ...(minuteMs !== undefined ? { minuteMs } : {}) });
    const onboarding = new OnboardingManager(store);
    const sync = new ProgressSync(store, { progress: () => tracker.localProgress(), meditatedDays: () => tracker.meditatedDays(), clearLocal: () => tracker.clear(), addSessions: (s, from) => tracker.addSessions(s, from) });
    const opened = store;
    logger.info(`store opened at ${opened.storagePath} (client ${opened.clientId})`);
    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      if (!closing) {
        tracker.dispose();
        onboarding.dispose();
        closing = opened.dispose().catch((error: unknown) => logger.warn(`closing the store: ${describeError(error)}`));
      }
      return closing;
    };
    return { ok: true, core: { store: opened, tracker, onboarding, sync, close, dispose: () => void close() } };
  } catch (error) {
    void store?.dispose();
    logger.error('could not open the saved data', error);
    return { ok: false, reason: describeError(error) };
  }
}
