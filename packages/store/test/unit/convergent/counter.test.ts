import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addTo, counterType, foldedTally, type CounterState } from '../../../src/convergent/counter';
import { itObeysTheLaws, itParsesOrRefuses, itRefuses, madeOps, mergeAll, withGetter, worlds, type Model } from './world';

const amounts = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -1e6, max: 1e6 }));

const model: Model<CounterState, number, number, null> = {
  type: counterType,
  replicas: ['w1', '__proto__', 'constructor', 'w4'],
  op: amounts,
  writer: () => null,
  apply: (_, replica, own, _view, amount) => addTo(own, replica, amount),
};

describe('counter', () => {
  itObeysTheLaws(model);

  it('counts every amount exactly once, however the writers saw each other and whoever was folded', () => {
    fc.assert(fc.property(worlds(model), (world) => {
      const expected = madeOps(world).reduce((total, { op }) => total + op, 0);
      const live = world.finals.filter((_, i) => !world.folded.includes(i));
      expect(counterType.value(mergeAll(counterType, world.finals))).toBe(expected);
      expect(counterType.value(mergeAll(counterType, [world.base, ...live]))).toBe(expected);
    }));
  });

  it('compacts into one tally under the empty id', () => {
    const s = mergeAll(counterType, [addTo(counterType.empty(), 'a', 5), addTo(counterType.empty(), 'b', -2)]);
    expect(counterType.compact(s)).toEqual({ [foldedTally]: { p: 5, n: 2 } });
    expect(counterType.value(counterType.compact(s))).toBe(3);
  });

  it.each([1.5, NaN, Infinity, -Infinity, 2 ** 53, '1', null, undefined, 1n])('refuses the amount %s', (amount) => {
    expect(() => addTo(counterType.empty(), 'a', amount as number)).toThrow(TypeError);
  });

  it("refuses the empty replica id, where compact sums gone writers' tallies", () => {
    expect(() => addTo(counterType.empty(), '', 1)).toThrow(TypeError);
  });

  it('refuses amounts that sum past Number.MAX_SAFE_INTEGER, up and down', () => {
    const top = addTo(counterType.empty(), 'a', Number.MAX_SAFE_INTEGER);
    expect(counterType.value(top)).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => addTo(top, 'a', 1)).toThrow(RangeError);
    const bottom = addTo(counterType.empty(), 'a', -Number.MAX_SAFE_INTEGER);
    expect(() => addTo(bottom, 'a', -1)).toThrow(RangeError);
    expect(counterType.value(addTo(bottom, 'a', Number.MAX_SAFE_INTEGER))).toBe(0);
  });

  it('refuses to give a value or a folded tally that is not exact', () => {
    const both = counterType.merge(addTo(counterType.empty(), 'a', Number.MAX_SAFE_INTEGER), addTo(counterType.empty(), 'b', 1));
    expect(() => counterType.value(both)).toThrow(RangeError);
    expect(() => counterType.compact(both)).toThrow(RangeError);
    // Σp − Σn is what must be exact, not each sum by itself.
    const netted = counterType.merge(both, addTo(counterType.empty(), 'c', -1));
    expect(counterType.value(netted)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("treats '__proto__' as an ordinary replica id, read back as data", () => {
    const s = counterType.parse(JSON.parse('{"__proto__":{"p":3,"n":1},"constructor":{"p":1,"n":0}}'));
    expect(Object.getPrototypeOf(s)).toBeNull();
    expect(Object.keys(s)).toEqual(['__proto__', 'constructor']);
    expect(counterType.value(s)).toBe(3);
    expect(counterType.value(addTo({}, '__proto__', 2))).toBe(2); // a plain-object state answers '__proto__' with its prototype
  });

  itRefuses(counterType as never, [
    ['null', null],
    ['an array', [{ p: 1, n: 0 }]],
    ['a number', 3],
    ['a tally that is a number', { a: 3 }],
    ['a tally without n', { a: { p: 1 } }],
    ['a tally with an extra field', { a: { p: 1, n: 0, q: 1 } }],
    ['a tally with an own __proto__ field', { a: JSON.parse('{"p":1,"n":0,"__proto__":{}}') }],
    ['a negative count', { a: { p: -1, n: 0 } }],
    ['a fractional count', { a: { p: 1.5, n: 0 } }],
    ['a count beyond the safe integers', { a: { p: 2 ** 53, n: 0 } }],
    ['NaN', { a: { p: NaN, n: 0 } }],
    ['Infinity', { a: { p: 0, n: Infinity } }],
    ['a count that is a string', { a: { p: '1', n: 0 } }],
    ['counts summing past the safe integers', { a: { p: Number.MAX_SAFE_INTEGER, n: 0 }, b: { p: 1, n: 0 } }],
    ['a huge replica id', { ['x'.repeat(1025)]: { p: 1, n: 0 } }],
    ['an object with a prototype of its own', Object.create({ a: { p: 1, n: 0 } })],
    ['a class instance', new (class Tally { p = 1; n = 0; })()],
    ['an accessor', { a: withGetter({ p: 1 }, 'n') }],
    ['a Map', new Map([['a', { p: 1, n: 0 }]])],
  ]);

  itParsesOrRefuses(counterType, fc.dictionary(
    fc.oneof(fc.constantFrom('', '__proto__', 'constructor', 'a'), fc.string()),
    fc.oneof(
      fc.record({ p: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER)), n: fc.nat() }),
      fc.jsonValue(),
    ),
  ).map((d) => JSON.parse(JSON.stringify(d))));
});
