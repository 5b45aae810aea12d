import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxType, offer, type MaxState } from '../../../src/convergent/maxRegister';
import { itObeysTheLaws, itParsesOrRefuses, itRefuses, madeOps, mergeAll, withGetter, worlds, type Model } from './world';

const model: Model<MaxState, number | null, number, null> = {
  type: maxType,
  replicas: ['w1', 'w2', 'w3'],
  op: fc.oneof(fc.constantFrom(0, -0, -1, 1e308, -1e308, Number.MIN_VALUE), fc.double({ noNaN: true, noDefaultInfinity: true })),
  writer: () => null,
  apply: (_, _replica, own, _view, x) => offer(own, x),
};

describe('max register', () => {
  itObeysTheLaws(model);

  it('holds the largest number offered by anyone', () => {
    fc.assert(fc.property(worlds(model), (world) => {
      const offered = madeOps(world).map(({ op }) => op);
      const expected = offered.length === 0 ? null : Math.max(...offered);
      expect(maxType.value(mergeAll(maxType, world.finals))).toBe(expected === null ? null : expected === 0 ? 0 : expected);
    }));
  });

  it('is null until something is offered, and holds 0 rather than -0', () => {
    expect(maxType.value(maxType.empty())).toBeNull();
    expect(Object.is(offer(maxType.empty(), -0).value, 0)).toBe(true);
    expect(Object.is(maxType.merge(offer(maxType.empty(), -0), offer(maxType.empty(), 0)).value, 0)).toBe(true);
  });

  it.each([NaN, Infinity, -Infinity, '1', null, undefined, 1n])('refuses to be offered %s', (x) => {
    expect(() => offer(maxType.empty(), x as number)).toThrow(TypeError);
  });

  itRefuses(maxType as never, [
    ['null', null],
    ['an empty object', {}],
    ['a number', 3],
    ['a string value', { value: '3' }],
    ['NaN', { value: NaN }],
    ['Infinity', { value: Infinity }],
    ['an extra field', { value: 1, other: 2 }],
    ['an own __proto__ field', JSON.parse('{"value":1,"__proto__":{"value":2}}')],
    ['an inherited value', Object.create({ value: 1 })],
    ['an accessor', withGetter({}, 'value')],
    ['an array', [1]],
  ]);

  itParsesOrRefuses(maxType, fc.oneof(fc.record({ value: fc.oneof(fc.double(), fc.constant(null), fc.jsonValue()) }), fc.jsonValue()));
});
