import { describe, expect, it } from 'vitest';
import { Emitter } from '../../src';
import type { Disposable } from '../../src';

describe('Emitter', () => {
  it('delivers to listeners in order, with thisArgs, until disposed', () => {
    const emitter = new Emitter<number>();
    const seen: string[] = [];
    const owner = { name: 'owner' };
    const a = emitter.event((n) => seen.push(`a${n}`));
    emitter.event(function (this: typeof owner, n) {
      seen.push(`${this.name}${n}`);
    }, owner);
    emitter.fire(1);
    a.dispose();
    a.dispose();
    emitter.fire(2);
    expect(seen).toEqual(['a1', 'owner1', 'owner2']);
  });

  it('adds subscriptions to the disposables array', () => {
    const emitter = new Emitter<void>();
    const bag: Disposable[] = [];
    let calls = 0;
    emitter.event(() => calls++, undefined, bag);
    expect(bag).toHaveLength(1);
    bag[0]?.dispose();
    emitter.fire();
    expect(calls).toBe(0);
  });

  it('a throwing listener does not stop the others and is reported', () => {
    const errors: unknown[] = [];
    const emitter = new Emitter<number>((e) => errors.push(e));
    const seen: number[] = [];
    emitter.event(() => {
      throw new Error('listener broke');
    });
    emitter.event((n) => seen.push(n));
    expect(() => emitter.fire(5)).not.toThrow();
    expect(seen).toEqual([5]);
    expect(errors).toHaveLength(1);
  });

  it('a listener removed while firing still gets the current event, not later ones', () => {
    const emitter = new Emitter<number>();
    const seen: number[] = [];
    const subscriptions: Disposable[] = [];
    emitter.event(() => subscriptions[0]?.dispose());
    subscriptions.push(emitter.event((n) => seen.push(n)));
    emitter.fire(1);
    emitter.fire(2);
    expect(seen).toEqual([1]);
  });

  it('after dispose, fire does nothing and new listeners are inert', () => {
    const emitter = new Emitter<number>();
    const seen: number[] = [];
    emitter.event((n) => seen.push(n));
    emitter.dispose();
    emitter.fire(1);
    emitter.event((n) => seen.push(n)).dispose();
    emitter.fire(2);
    expect(seen).toEqual([]);
  });
});
