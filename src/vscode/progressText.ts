import type { ProgressSnapshot } from '../engine/meditationTracker';

/**
 * Texts of the progress item. Their shapes are a contract with the end-to-end tests (they read the item's text):
 *   no session:  `$(mortar-board) Lv 3 · 187 XP · $(flame) 4`
 *   running:     `$(mortar-board) Lv 3 · 187 XP · $(flame) 4 · $(watch) 03:25`
 *   paused:      `$(mortar-board) Lv 3 · 187 XP · $(flame) 4 · $(debug-pause) 03:25 paused`
 *   tracking off, session running: `$(watch) 03:25` (paused: `$(debug-pause) 03:25 paused`); no session: hidden
 * Codicons render as icons, so the page shows e.g. "Lv 3 · 187 XP · 4 · 03:25". The total XP is always `<n> XP`;
 * a session's active time is `mm:ss` (`h:mm:ss` past an hour) and appears only while a session exists.
 */
export interface ProgressView {
  xp: number;
  level: number;
  levelTitle: string;
  /** XP still needed for the next level; undefined at the top level. */
  xpToNext: number | undefined;
  nextTitle: string | undefined;
  /** 0..1 through the current level. */
  levelProgress: number;
  streak: number;
  longestStreak: number;
  session: SessionView | undefined;
}

export interface SessionView {
  state: 'running' | 'paused';
  /** Active (not paused) time so far, ms. */
  activeMs: number;
  goalMinutes: number;
}

/** The status bar's view of the engine's snapshot. */
export function progressViewOf(snapshot: ProgressSnapshot): ProgressView {
  return {
    xp: snapshot.xp,
    level: snapshot.level.level,
    levelTitle: snapshot.level.title,
    xpToNext: snapshot.level.next ? snapshot.level.xpToNext : undefined,
    nextTitle: snapshot.level.next?.title,
    levelProgress: snapshot.level.progress,
    streak: snapshot.streak.current,
    longestStreak: snapshot.streak.longest,
    session: snapshot.session
      ? { state: snapshot.session.state, activeMs: snapshot.session.activeMs, goalMinutes: snapshot.session.goalMinutes }
      : undefined,
  };
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor((Number.isFinite(ms) ? ms : 0) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function progressText(view: ProgressView): string {
  const parts = [`$(mortar-board) Lv ${view.level}`, `${view.xp} XP`, `$(flame) ${view.streak}`];
  if (view.session) {
    const time = formatDuration(view.session.activeMs);
    parts.push(view.session.state === 'paused' ? `$(debug-pause) ${time} paused` : `$(watch) ${time}`);
  }
  return parts.join(' · ');
}

/** With progress tracking off, a running session still needs a visible timer: only that, no XP or level. */
export function sessionOnlyText(session: SessionView): string {
  const time = formatDuration(session.activeMs);
  return session.state === 'paused' ? `$(debug-pause) ${time} paused` : `$(watch) ${time}`;
}

export function progressAccessibilityLabel(view: ProgressView): string {
  const session = view.session
    ? `, session ${view.session.state}, ${Math.floor(view.session.activeMs / 60_000)} of ${view.session.goalMinutes} minutes`
    : '';
  return `Breath Master: level ${view.level} ${view.levelTitle}, ${view.xp} XP, streak ${view.streak} days${session}. Activate for the Breath Master menu.`;
}

/** Markdown tooltip: level, XP to the next level, streak, session goal. */
export function progressTooltip(view: ProgressView): string {
  const lines = [`**Level ${view.level} · ${view.levelTitle}** — ${view.xp} XP`];
  lines.push(view.xpToNext !== undefined && view.nextTitle ? `${view.xpToNext} XP to ${view.nextTitle}` : 'Top level reached');
  lines.push(`Streak: ${view.streak} day${view.streak === 1 ? '' : 's'} (longest ${view.longestStreak})`);
  if (view.session) lines.push(`Session ${view.session.state}: ${formatDuration(view.session.activeMs)} of ${view.session.goalMinutes} min`);
  lines.push('', 'Click for the Breath Master menu');
  return lines.join('  \n');
}
