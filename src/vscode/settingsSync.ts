import type * as vscode from 'vscode';
import type { ProgressSync, ReceiveResult } from '../engine/progressSync';

/**
 * The `globalState` key Settings Sync carries between machines (registered with `setKeysForSync` while the setting
 * `breathMaster.progress.sync` is on). It holds every machine's part of the progress (engine/syncedProgress.ts).
 */
export const SYNCED_PROGRESS_KEY = 'breathMaster.syncedProgress';
/** Settings Sync runs about every five minutes and says nothing when a value arrives: look this often while focused. */
export const LOOK_EVERY_MS = 5 * 60_000;
/** A change of this machine's progress is passed on after this quiet time (a session's end is several commits)… */
const PUBLISH_AFTER_MS = 2_000;
/** …and during a session at most this often: every breathing cycle is a commit, Settings Sync looks every 5 minutes. */
const PUBLISH_EVERY_MS = 60_000;

export interface SettingsSyncOptions {
  readonly globalState: vscode.Memento & { setKeysForSync(keys: readonly string[]): void };
  readonly sync: ProgressSync;
  /** `breathMaster.progress.sync`. */
  readonly enabled: () => boolean;
  readonly focused: () => boolean;
  /** A session is running (its cycles commit every few seconds: passed on at most once a minute then). */
  readonly sessionRunning: () => boolean;
  readonly log: (level: 'info' | 'warn', message: string) => void;
}

/**
 * Carries progress between machines through Settings Sync. At startup, when the window gains focus and every five
 * minutes while it is focused, the value Settings Sync left in `globalState` is merged into the store (never copied
 * over it), and written back when this machine knows more than it says (its own newer part, parts a whole-value
 * overwrite dropped), so Settings Sync's "remote wins" heals on its next round. A change of this machine's
 * progress is passed on by the focused window. Nothing runs while the window is unfocused; nothing is written when
 * nothing changed.
 */
export class SettingsSyncBridge implements vscode.Disposable {
  private timer: ReturnType<typeof setInterval> | undefined;
  private publishTimer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> = Promise.resolve();
  private registered: boolean | undefined;
  private lastExchange = -Infinity;
  private disposed = false;

  constructor(private readonly options: SettingsSyncOptions) {
    this.applySetting();
  }

  /** The setting changed (or at startup): register the key with Settings Sync, or stop carrying it. */
  applySetting(): void {
    const on = this.options.enabled();
    if (on !== this.registered) {
      this.registered = on;
      this.options.globalState.setKeysForSync(on ? [SYNCED_PROGRESS_KEY] : []);
    }
    this.focusChanged(this.options.focused());
  }

  focusChanged(focused: boolean): void {
    if (this.disposed) return;
    const look = focused && this.options.enabled();
    if (look && this.timer === undefined) {
      this.timer = setInterval(() => void this.exchange(), LOOK_EVERY_MS);
      void this.exchange();
    } else if (!look && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** This machine's progress changed (a commit here or in another of its windows). */
  progressChanged(): void {
    if (this.disposed || !this.options.enabled() || !this.options.focused()) return;
    if (this.publishTimer !== undefined) {
      // A session ended while a change waited for the minute to pass: passed on now.
      if (this.options.sessionRunning()) return;
      clearTimeout(this.publishTimer);
    }
    const wait = this.options.sessionRunning() ? Math.max(PUBLISH_AFTER_MS, this.lastExchange + PUBLISH_EVERY_MS - Date.now()) : PUBLISH_AFTER_MS;
    this.publishTimer = setTimeout(() => {
      this.publishTimer = undefined;
      void this.exchange();
    }, wait);
  }

  /** Merges what arrived, writes back what this machine knows more. One at a time; never throws. */
  exchange(): Promise<void> {
    this.running = this.running.then(() => this.exchangeNow()).catch((error: unknown) => this.options.log('warn', `progress sync failed: ${String(error)}`));
    return this.running;
  }

  private async exchangeNow(): Promise<void> {
    if (this.disposed || !this.options.enabled()) return;
    this.lastExchange = Date.now();
    const { globalState, sync, log } = this.options;
    const result: ReceiveResult = await sync.receive(globalState.get<unknown>(SYNCED_PROGRESS_KEY));
    if (result.error !== undefined) log('warn', `the synced progress in globalState is unreadable (${result.error}); this machine's is written over it`);
    if (result.arrived.length > 0) log('info', `progress arrived from ${result.arrived.length} other machine(s) through Settings Sync`);
    if (result.cleared) log('info', 'Clear Data on another machine cleared this machine\'s progress too');
    const out = sync.outgoing(globalState.get<unknown>(SYNCED_PROGRESS_KEY));
    if (out !== undefined) await globalState.update(SYNCED_PROGRESS_KEY, out);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.publishTimer !== undefined) clearTimeout(this.publishTimer);
  }
}
