/** The one meditation session shared by all windows of a user, and its time accounting. */
export type SessionState = 'running' | 'paused';

export interface SharedSession {
  readonly id: string;
  readonly goalMinutes: number;
  readonly startedAt: number;
  readonly state: SessionState;
  /** Active (unpaused) ms before the current running stretch. */
  readonly accumulatedActiveMs: number;
  /** Start of the current running stretch (set while running). */
  readonly runningSince?: number;
  /** When it was paused (set while paused). */
  readonly pausedAt?: number;
  /** Breathing cycles credited so far (1 XP each). */
  readonly cycles: number;
  /**
   * Active ms already turned into credited cycles. Crediting consumes active time, so two windows crediting the
   * same stretch (or a window catching up after the counter vanished) can never count a cycle twice or lose one.
   */
  readonly creditedMs: number;
  /** clientId of the window that started it (for people and logs). */
  readonly startedBy: string;
  /**
   * clientId of the window that said "goal reached" (claimed by compare-and-set, so exactly one window says it,
   * once per session); absent until then.
   */
  readonly goalAnnouncedBy?: string;
}

/** Active (unpaused) ms of the session at `now`; never negative, never counting a clock going backwards. */
export function activeMsAt(session: SharedSession, now: number): number {
  const stretch = session.state === 'running' && session.runningSince !== undefined ? Math.max(0, now - session.runningSince) : 0;
  return session.accumulatedActiveMs + stretch;
}

/** The fields common to both states. Records are JSON data: an optional field is left out, never `undefined`. */
function base(session: SharedSession): Omit<SharedSession, 'state' | 'runningSince' | 'pausedAt'> {
  const { id, goalMinutes, startedAt, accumulatedActiveMs, cycles, creditedMs, startedBy, goalAnnouncedBy } = session;
  const fields = { id, goalMinutes, startedAt, accumulatedActiveMs, cycles, creditedMs, startedBy };
  return goalAnnouncedBy === undefined ? fields : { ...fields, goalAnnouncedBy };
}

export function runningSession(session: Omit<SharedSession, 'state' | 'runningSince' | 'pausedAt'>, runningSince: number): SharedSession {
  return { ...base(session as SharedSession), state: 'running', runningSince };
}

export function pausedSession(session: Omit<SharedSession, 'state' | 'runningSince' | 'pausedAt'>, pausedAt: number): SharedSession {
  return { ...base(session as SharedSession), state: 'paused', pausedAt };
}

export function pauseSession(session: SharedSession, now: number): SharedSession {
  if (session.state !== 'running') return session;
  return pausedSession({ ...session, accumulatedActiveMs: activeMsAt(session, now) }, now);
}

export function resumeSession(session: SharedSession, now: number): SharedSession {
  if (session.state !== 'paused') return session;
  return runningSession(session, now);
}

/**
 * Longest stretch of active time nobody counted that still counts, beyond the cycle in progress. The counting
 * window credits every second and a vanished one is replaced within a lease (a minute), so a longer gap means no
 * window was there at all (VS Code closed with a session running, a laptop asleep): that is not meditation time.
 */
export const MAX_UNCOUNTED_MS = 120_000;

/**
 * The session with the time no window was there for taken out, as if it had been paused then: the session
 * timer, the bonus and today's minutes reflect time a window was open, not a night with VS Code closed. Keeps
 * everything up to one cycle (`cycleMs`, up to 4 min for a custom pattern) plus MAX_UNCOUNTED_MS past the last
 * credited cycle, so it never cuts time a live counter has yet to credit.
 */
export function trimUncountedTime(session: SharedSession, now: number, cycleMs: number): SharedSession {
  if (session.state !== 'running') return session;
  const keep = session.creditedMs + Math.max(0, cycleMs) + MAX_UNCOUNTED_MS;
  if (activeMsAt(session, now) <= keep) return session;
  if (keep >= session.accumulatedActiveMs) return runningSession(session, now - (keep - session.accumulatedActiveMs));
  return runningSession({ ...session, accumulatedActiveMs: keep }, now);
}

/**
 * Cycles to credit at `now` (on a trimmed session) and the credited time afterwards. Consumes active time, so
 * applying it twice (two windows, a retry) credits nothing the second time.
 */
export function cyclePlan(session: SharedSession, now: number, cycleMs: number): { cycles: number; creditedMs: number } {
  const cycles = cycleMs > 0 ? Math.max(0, Math.floor((activeMsAt(session, now) - session.creditedMs) / cycleMs)) : 0;
  return { cycles, creditedMs: session.creditedMs + cycles * cycleMs };
}

/** A minute of a session goal, in ms (the e2e tests alone shorten it: MeditationTrackerOptions.minuteMs). */
export const MINUTE_MS = 60_000;

/** XP bonus at the end: `round(min(1, active/goal) × goalMinutes × 0.5)`. */
export function endBonus(activeMs: number, goalMinutes: number, minuteMs = MINUTE_MS): number {
  if (!(goalMinutes > 0) || !(activeMs > 0)) return 0;
  const ratio = Math.min(1, activeMs / (goalMinutes * minuteMs));
  return Math.round(ratio * goalMinutes * 0.5);
}

/**
 * A session left paused this long is over: it is ended (and recorded) by whichever window notices first, so a
 * forgotten paused session neither lingers in the status bar for days nor keeps anything waiting on it.
 */
export const PAUSED_EXPIRY_MS = 4 * 60 * 60_000;

/** Whether a paused session has been paused for longer than PAUSED_EXPIRY_MS at `now`. */
export function pausedTooLong(session: SharedSession, now: number): boolean {
  return session.state === 'paused' && session.pausedAt !== undefined && now - session.pausedAt >= PAUSED_EXPIRY_MS;
}

/** Goals people can pick (the quick pick lists them; the first one shown is the level's default). */
export const GOAL_CHOICES: readonly number[] = [1, 3, 5, 10, 15, 20, 30, 45, 60];
export const MAX_GOAL_MINUTES = 240;

/** A goal from the outside (a command argument): whole minutes 1..240, else undefined. */
export function validGoalMinutes(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\s*\d{1,3}\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_GOAL_MINUTES) return undefined;
  return n;
}
