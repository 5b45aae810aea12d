/**
 * A hybrid logical clock: stamps follow the wall clock when it moves forward and a counter when it does not (two
 * ticks in one millisecond, a clock set back, a stamp seen from a writer whose clock runs ahead), so each clock's
 * stamps strictly increase and a tick comes after every stamp observed before it. Stamps of different writers can
 * be equal; whoever orders them by stamp breaks the tie by writer id, never by the wall clock alone.
 */
export interface Stamp {
  /** Milliseconds (the wall clock, or the largest wall time seen): a non-negative safe integer. */
  readonly wall: number;
  /** Ticks within that wall time: 0 … maxLogical. */
  readonly logical: number;
}

/** Beyond this many ticks within one millisecond the clock moves its wall time on by one instead. */
export const maxLogical = 0xffff_ffff;

// 14 hex digits hold every safe integer (2^53 − 1 = 0x1f_ffff_ffff_ffff), 8 hold maxLogical: fixed width, and
// lower-case hex digits sort like their values, so encoded stamps compare as strings exactly as the stamps do.
const wallDigits = 14;
const logicalDigits = 8;
const encoded = /^[0-9a-f]{14}\.[0-9a-f]{8}$/;

export function compareStamps(a: Stamp, b: Stamp): -1 | 0 | 1 {
  if (a.wall !== b.wall) return a.wall < b.wall ? -1 : 1;
  if (a.logical !== b.logical) return a.logical < b.logical ? -1 : 1;
  return 0;
}

function checkStamp(stamp: unknown, what: string): Stamp {
  if (typeof stamp !== 'object' || stamp === null) throw new TypeError(`${what} is not a stamp`);
  const { wall, logical } = stamp as Partial<Stamp>;
  if (typeof wall !== 'number' || !Number.isSafeInteger(wall) || wall < 0) throw new TypeError(`${what}.wall is not a non-negative safe integer`);
  if (typeof logical !== 'number' || !Number.isSafeInteger(logical) || logical < 0 || logical > maxLogical) {
    throw new TypeError(`${what}.logical is not an integer from 0 to ${maxLogical}`);
  }
  return { wall: wall === 0 ? 0 : wall, logical: logical === 0 ? 0 : logical };
}

export function encodeStamp(stamp: Stamp): string {
  const { wall, logical } = checkStamp(stamp, 'stamp');
  return `${wall.toString(16).padStart(wallDigits, '0')}.${logical.toString(16).padStart(logicalDigits, '0')}`;
}

/** The stamp an encoded string stands for; a TypeError for anything encodeStamp would not have written. */
export function decodeStamp(text: unknown, what = 'stamp'): Stamp {
  if (typeof text !== 'string' || !encoded.test(text)) {
    throw new TypeError(`${what} is not an encoded stamp (${wallDigits} + ${logicalDigits} lower-case hex digits)`);
  }
  const wall = parseInt(text.slice(0, wallDigits), 16);
  if (!Number.isSafeInteger(wall)) throw new TypeError(`${what} has a wall time beyond the safe integers`);
  return { wall, logical: parseInt(text.slice(wallDigits + 1), 16) };
}

export class HybridClock {
  readonly #now: () => number;
  #last: Stamp = { wall: 0, logical: 0 };

  /** `now`: milliseconds, such as Date.now; it may stand still or go back. */
  constructor(now: () => number) {
    this.#now = now;
  }

  /** A stamp above every stamp this clock gave or observed before. */
  tick(): Stamp {
    const last = this.#last;
    const wall = this.#readWall();
    let next: Stamp;
    if (wall > last.wall) next = { wall, logical: 0 };
    else if (last.logical < maxLogical) next = { wall: last.wall, logical: last.logical + 1 };
    else if (last.wall < Number.MAX_SAFE_INTEGER) next = { wall: last.wall + 1, logical: 0 };
    else throw new RangeError('the clock has run out of stamps (it observed a stamp at the end of time)');
    this.#last = next;
    return next;
  }

  /** Makes later ticks come after `stamp` (one read from another writer's data). */
  observe(stamp: Stamp): void {
    const seen = checkStamp(stamp, 'observed stamp');
    if (compareStamps(seen, this.#last) > 0) this.#last = seen;
  }

  #readWall(): number {
    const t = this.#now();
    if (typeof t !== 'number' || !Number.isFinite(t)) throw new TypeError(`the clock's now() returned ${String(t)}, not a finite number`);
    return Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, Math.floor(t)));
  }
}
