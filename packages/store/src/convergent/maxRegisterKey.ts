import type { Event } from '../types';
import type { ConvergentKey } from './convergentKey';
import { type MaxState, offer } from './maxRegister';

/** The largest number any window offered (`store.maxRegister(key)`): a best, a highest level reached. */
export class MaxRegister {
  constructor(private readonly key: ConvergentKey<MaxState, number | null>) {}

  get onDidChange(): Event<number | null> {
    return this.key.onDidChange;
  }

  /** The largest number offered by any window this one knows of; null before the first. */
  value(): number | null {
    return this.key.value();
  }

  /** Offers a finite number; resolves with the maximum once the offer is durable. */
  offer(x: number): Promise<number | null> {
    return this.key.change((own) => offer(own, x));
  }
}
