import { checkCount, checkName, emptyTable, fields, keysOf, lookup, plainEntries, quote, tableOf, type Table, withEntry } from './parsing';
import type { ConvergentType } from './type';

/**
 * A PN-counter. Each writer keeps its own tally of increments (p) and decrements (n); both only grow, so merging
 * takes each writer's larger tally and no update is lost or counted twice, in whatever order states arrive.
 * Integers only: a sum of safe integers is exact in any order, where floats would round differently per order.
 */
export interface Tally {
  readonly p: number;
  readonly n: number;
}

/** Writer (replica) id → its tally. */
export type CounterState = Readonly<Table<Tally>>;

/**
 * The entry that `compact` sums every tally into. No writer may count under it: a live writer's tally there would
 * be max-merged with the folded sum instead of added to it.
 */
export const foldedTally = '';

/** The writer's next state: `amount` (a safe integer, negative to decrement) added to its own tally. */
export function addTo(own: CounterState, replica: string, amount: number): CounterState {
  if (replica === foldedTally) throw new TypeError('counter replica id is empty; the empty id is where compact sums gone writers\' tallies');
  checkName(replica, 'counter replica id', false);
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount)) {
    throw new TypeError(`counter amount ${String(amount)} is not a safe integer; only integers merge exactly in any order`);
  }
  const before = lookup(own, replica) ?? { p: 0, n: 0 };
  const p = amount > 0 ? before.p + amount : before.p;
  const n = amount < 0 ? before.n - amount : before.n;
  if (p > Number.MAX_SAFE_INTEGER || n > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`counter replica ${quote(replica)} would count beyond Number.MAX_SAFE_INTEGER, where sums stop being exact`);
  }
  return amount === 0 ? tableOf(Object.entries(own)) : withEntry(own, replica, { p, n });
}

function merge(a: CounterState, b: CounterState): CounterState {
  const merged = emptyTable<Tally>();
  for (const replica of keysOf(a, b)) {
    const x = lookup(a, replica) ?? { p: 0, n: 0 };
    const y = lookup(b, replica) ?? { p: 0, n: 0 };
    merged[replica] = { p: Math.max(x.p, y.p), n: Math.max(x.n, y.n) };
  }
  return merged;
}

/** Σp and Σn, exactly (BigInt: a sum of safe integers may not be one). */
function totals(state: CounterState): { p: bigint; n: bigint } {
  let p = 0n;
  let n = 0n;
  for (const tally of Object.values(state)) {
    p += BigInt(tally.p);
    n += BigInt(tally.n);
  }
  return { p, n };
}

const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

function value(state: CounterState): number {
  const { p, n } = totals(state);
  const total = p - n;
  if (total > maxSafe || total < -maxSafe) throw new RangeError(`the counter's value ${total} is beyond the safe integers`);
  return Number(total);
}

/**
 * Everything summed into one tally. Σp and Σn are kept apart rather than netted, so successive bases still only grow
 * (each fold adds to both) and merging an older base with a newer one gives the newer.
 */
function compact(state: CounterState): CounterState {
  const { p, n } = totals(state);
  if (p > maxSafe || n > maxSafe) throw new RangeError('the counter\'s folded tally would be beyond the safe integers');
  if (p === 0n && n === 0n) return emptyTable();
  return tableOf([[foldedTally, { p: Number(p), n: Number(n) }]]);
}

function parse(data: unknown): CounterState {
  const entries = plainEntries(data, 'counter state').map(([replica, tallyData]): [string, Tally] => {
    const what = `counter state[${quote(checkName(replica, 'counter replica id', true))}]`;
    const tally = fields(tallyData, what, ['p', 'n']);
    return [replica, { p: checkCount(tally.p, `${what}.p`), n: checkCount(tally.n, `${what}.n`) }];
  });
  const state = tableOf(entries);
  // Refused here rather than when read: a state whose value cannot be computed exactly is no state of a counter.
  const { p, n } = totals(state);
  if (p > maxSafe || n > maxSafe) throw new TypeError('counter state counts beyond Number.MAX_SAFE_INTEGER in all');
  return state;
}

export const counterType: ConvergentType<CounterState, number> = {
  name: 'counter',
  empty: () => emptyTable(),
  merge,
  value,
  parse,
  compact,
};
