/**
 * Which window counts breathing cycles. Exactly one should, so N windows never multiply XP: the focused window
 * claims the lease; when no window is focused the holder keeps it while it heartbeats, and when the holder is
 * gone (closed, crashed, asleep) its lease expires and any other window takes over. (Crediting consumes the
 * session's active time, so even a brief overlap of two counters during a handover cannot count a cycle twice.)
 */
export const PRESENCE_KEY = 'breathMaster.presence';

/**
 * How long a lease lives without a heartbeat: how long cycles may go uncounted when the holder vanishes while no
 * window is focused (a focused window takes over at once). Nothing is lost meanwhile — the next counter credits
 * the session's time since the last credited cycle — so it is long, to keep heartbeats rare: each is a commit that
 * wakes every window.
 */
export const LEASE_MS = 60_000;
/** Renew when less than this is left: a heartbeat about twice a minute while a session runs. */
export const RENEW_BEFORE_MS = 30_000;

export interface CounterLease {
  readonly holder: string | null;
  /** The holder's window was focused when it last wrote. */
  readonly focused: boolean;
  readonly expiresAt: number;
}

export const NO_LEASE: CounterLease = { holder: null, focused: false, expiresAt: 0 };

export function normalizeLease(v: unknown): CounterLease {
  if (typeof v !== 'object' || v === null) return NO_LEASE;
  const o = v as Record<string, unknown>;
  const expiresAt = typeof o.expiresAt === 'number' && Number.isFinite(o.expiresAt) ? o.expiresAt : 0;
  return { holder: typeof o.holder === 'string' ? o.holder : null, focused: o.focused === true, expiresAt };
}

/**
 * Whether the lease is held at `now`. A lease that ends more than LEASE_MS ahead was written before the clock went
 * back: it counts as expired, so a jump of the clock cannot keep a vanished holder's lease alive for the jump.
 */
function live(lease: CounterLease, now: number): boolean {
  return lease.holder !== null && lease.expiresAt > now && lease.expiresAt - now <= LEASE_MS;
}

export function holdsLease(lease: CounterLease, me: string, now: number): boolean {
  return lease.holder === me && live(lease, now);
}

/**
 * The lease after window `me` (focused or not) looked at it at `now`. Pure: used as a store updater, so it decides
 * on the freshest value. Returns the same object when nothing needs writing.
 */
export function nextLease(lease: CounterLease, me: string, focused: boolean, now: number): CounterLease {
  const claim: CounterLease = { holder: me, focused, expiresAt: now + LEASE_MS };
  if (holdsLease(lease, me, now)) {
    // Heartbeat, or tell the others our focus changed (a focused window elsewhere may then take over).
    if (lease.focused !== focused || lease.expiresAt - now < RENEW_BEFORE_MS) return claim;
    return lease;
  }
  if (!live(lease, now)) return claim;
  // Someone else holds a live lease: a focused window takes it from an unfocused holder; otherwise leave it.
  if (focused && !lease.focused) return claim;
  return lease;
}

/** The lease after window `me` gained focus: it claims unconditionally (the latest focus is the true one). */
export function focusLease(me: string, now: number): CounterLease {
  return { holder: me, focused: true, expiresAt: now + LEASE_MS };
}

/** The lease after window `me` leaves (closing): released so another takes over at once instead of on expiry. */
export function releaseLease(lease: CounterLease, me: string): CounterLease {
  return lease.holder === me ? NO_LEASE : lease;
}
