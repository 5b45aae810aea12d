import * as vscode from 'vscode';
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

/** "paused" or "running", for people. */
export function stateWord(state: SessionView['state']): string {
  return state === 'paused' ? vscode.l10n.t('paused') : vscode.l10n.t('running');
}

/** "1 day" / "4 days": plurals are the translation's business, so each form is its own message. */
export function days(n: number): string {
  return n === 1 ? vscode.l10n.t('{0} day', n) : vscode.l10n.t('{0} days', n);
}

export function minutes(n: number): string {
  return n === 1 ? vscode.l10n.t('{0} minute', n) : vscode.l10n.t('{0} minutes', n);
}

/** "03:25 of 10 min" */
export function sessionTime(session: Pick<SessionView, 'activeMs' | 'goalMinutes'>): string {
  return vscode.l10n.t('{0} of {1} min', formatDuration(session.activeMs), session.goalMinutes);
}

function sessionPart(session: SessionView): string {
  const time = formatDuration(session.activeMs);
  return session.state === 'paused' ? `$(debug-pause) ${vscode.l10n.t('{0} paused', time)}` : `$(watch) ${time}`;
}

export function progressText(view: ProgressView): string {
  const parts = [`$(mortar-board) ${vscode.l10n.t('Lv {0}', view.level)}`, vscode.l10n.t('{0} XP', view.xp), `$(flame) ${view.streak}`];
  if (view.session) parts.push(sessionPart(view.session));
  return parts.join(' · ');
}

/** With progress tracking off, a running session still needs a visible timer: only that, no XP or level. */
export function sessionOnlyText(session: SessionView): string {
  return sessionPart(session);
}

export function sessionOnlyTooltip(session: SessionView): string {
  return [vscode.l10n.t('Breath Master session {0}: {1}', stateWord(session.state), sessionTime(session)), vscode.l10n.t('Click for the Breath Master menu')].join('  \n');
}

export function sessionOnlyLabel(session: SessionView): string {
  return vscode.l10n.t('Breath Master: session {0}, {1} of {2}. Activate for the Breath Master menu.', stateWord(session.state), minutes(Math.floor(session.activeMs / 60_000)), minutes(session.goalMinutes));
}

export function progressAccessibilityLabel(view: ProgressView): string {
  const session = view.session
    ? vscode.l10n.t(', session {0}, {1} of {2}', stateWord(view.session.state), minutes(Math.floor(view.session.activeMs / 60_000)), minutes(view.session.goalMinutes))
    : '';
  return vscode.l10n.t('Breath Master: level {0} {1}, {2} XP, streak {3}{4}. Activate for the Breath Master menu.', view.level, view.levelTitle, view.xp, days(view.streak), session);
}

/** Markdown tooltip: level, XP to the next level, streak, session goal. */
export function progressTooltip(view: ProgressView): string {
  const lines = [vscode.l10n.t('**Level {0} · {1}** — {2} XP', view.level, view.levelTitle, view.xp)];
  lines.push(view.xpToNext !== undefined && view.nextTitle ? vscode.l10n.t('{0} XP to {1}', view.xpToNext, view.nextTitle) : vscode.l10n.t('Top level reached'));
  lines.push(vscode.l10n.t('Streak: {0} (longest {1})', days(view.streak), view.longestStreak));
  if (view.session) lines.push(vscode.l10n.t('Session {0}: {1}', stateWord(view.session.state), sessionTime(view.session)));
  lines.push('', vscode.l10n.t('Click for the Breath Master menu'));
  return lines.join('  \n');
}
