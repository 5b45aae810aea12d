import type { Event } from '../types';
import type { ConvergentKey } from './convergentKey';
import { addTo, type CounterState } from './counter';

/**
 * A counter shared by every window: `add` from any number of windows at once never conflicts, never retries and is
 * never lost or counted twice (`store.counter(key)`). The value is an integer (safe integers only: sums stay exact
 * in any order).
 */
export class Counter {
  constructor(
    private readonly key: ConvergentKey<CounterState, number>,
    private readonly writer: string,
  ) {}

  /** Fires with the new total when it changes, by this window's adds (at once) or another's. */
  get onDidChange(): Event<number> {
    return this.key.onDidChange;
  }

  /** The total of every window's adds that this window knows of, its own included at once. Sync and cached. */
  value(): number {
    return this.key.value();
  }

  /**
   * Adds `amount` (a safe integer; negative subtracts) and resolves with the total once the add is durable.
   * Rejects with a TypeError for anything but a safe integer (nothing added) and with a StoreError when it could not
   * be written (`applied` as for `update`).
   */
  add(amount: number): Promise<number> {
    return this.key.change((own) => addTo(own, this.writer, amount));
  }
}
