/** `vscode.l10n.t`, or the views' translator (the same messages, from l10n/bundle.l10n.json). */
export type Translate = (message: string, ...args: (string | number)[]) => string;

/**
 * How long something took, for people — one way everywhere a finished session or a total is shown (Show Progress,
 * the history view, the session-end message), so the same session never reads "01:09" in one place and "1 min" in
 * another. Seconds matter only for short times:
 *   nothing → "0 min"; 9 s → "9 s"; 69 s → "1 min 9 s"; 2 min → "2 min"; 12 min 30 s → "12 min"; 65 min → "1 h 5 min".
 * Rounded down, like the running timer (`mm:ss`, a clock that stays as it is), so a time never reads longer than it was.
 */
export function durationText(ms: number, t: Translate): string {
  const seconds = Math.floor((Number.isFinite(ms) ? Math.max(0, ms) : 0) / 1000);
  if (seconds === 0) return t('0 min');
  if (seconds < 60) return t('{0} s', seconds);
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? t('{0} min', minutes) : t('{0} min {1} s', minutes, seconds % 60);
  if (minutes < 60) return t('{0} min', minutes);
  return minutes % 60 === 0 ? t('{0} h', Math.floor(minutes / 60)) : t('{0} h {1} min', Math.floor(minutes / 60), minutes % 60);
}
