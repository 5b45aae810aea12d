import type * as vscode from 'vscode';
import { nextLocalMidnight } from '../engine/calendar';

export { nextLocalMidnight };

/** Longest single wait: timers drift across sleep/hibernate and clock changes, so re-check at least this often. */
const MAX_WAIT_MS = 15 * 60_000;

function localDay(now: number): string {
  const d = new Date(now);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

/**
 * Calls `onNewDay` when the local calendar day changes while VS Code stays open (streaks and "today" shown in the
 * status bar depend on the day). Waits in bounded steps so a laptop waking up the next morning still rolls over.
 */
export function watchDayRollover(onNewDay: () => void, now: () => number = Date.now): vscode.Disposable {
  let day = localDay(now());
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    const wait = Math.max(1_000, Math.min(MAX_WAIT_MS, nextLocalMidnight(now()) - now() + 1_000));
    timer = setTimeout(() => {
      const today = localDay(now());
      if (today !== day) {
        day = today;
        onNewDay();
      }
      arm();
    }, wait);
  };
  arm();
  return { dispose: () => clearTimeout(timer) };
}
