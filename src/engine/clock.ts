/**
 * Where the engine gets the time from. Injected so tests drive time by hand and so the engine never hides a
 * timer: anything that must happen "later" (a day rollover, the next breath tick) is computed here and scheduled
 * by the adapter.
 */
export interface Clock {
  /** Milliseconds since the epoch, like `Date.now()`. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
