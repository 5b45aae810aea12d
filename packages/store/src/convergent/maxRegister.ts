import { fields } from './parsing';
import type { ConvergentType } from './type';

/**
 * The largest number ever offered (a high score, a "latest seen" mark): merging keeps the larger, so it never goes
 * back whoever writes last. `null` until something is offered.
 */
export interface MaxState {
  readonly value: number | null;
}

function checkNumber(x: unknown, what: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new TypeError(`${what} is ${typeof x === 'number' ? x : `a ${x === null ? 'null' : typeof x}`}; expected a finite number`);
  return x === 0 ? 0 : x; // -0 reads back from JSON as 0, and Math.max(-0, 0) depends on the order
}

function larger(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

/** The writer's next state: `x` (a finite number) offered. */
export function offer(own: MaxState, x: number): MaxState {
  return { value: larger(own.value, checkNumber(x, 'offered value')) };
}

function parse(data: unknown): MaxState {
  const { value } = fields(data, 'max state', ['value']);
  return { value: value === null ? null : checkNumber(value, 'max state.value') };
}

export const maxType: ConvergentType<MaxState, number | null> = {
  name: 'max',
  empty: () => ({ value: null }),
  merge: (a, b) => ({ value: larger(a.value, b.value) }),
  value: (state) => state.value,
  parse,
  compact: (state) => ({ value: state.value }),
};
