import type { Event } from '../types';
import { addTo, removeFrom, type SetState, type SetValue } from './addWinsSet';
import type { ConvergentKey } from './convergentKey';

/**
 * A set of strings every window adds to and removes from (`store.addWinsSet(key)`): an add and a remove made at once
 * in two windows keep the element (a remove takes out only the adds it has seen).
 */
export class AddWinsSet {
  constructor(
    private readonly key: ConvergentKey<SetState, SetValue>,
    private readonly writer: string,
  ) {}

  get onDidChange(): Event<SetValue> {
    return this.key.onDidChange;
  }

  /** The elements, sorted. */
  value(): SetValue {
    return this.key.value();
  }

  has(element: string): boolean {
    return this.key.value().includes(element);
  }

  /** Resolves with the elements once the add is durable. */
  add(element: string): Promise<SetValue> {
    return this.key.change((own) => addTo(own, this.writer, element));
  }

  /** Removes the adds of `element` this window has seen; resolves once durable. */
  delete(element: string): Promise<SetValue> {
    return this.key.change((own, merged) => removeFrom(own, merged, element));
  }
}
