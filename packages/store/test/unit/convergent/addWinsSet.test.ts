import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addTo, removeFrom, setType, type SetState, type SetValue } from '../../../src/convergent/addWinsSet';
import { itObeysTheLaws, itParsesOrRefuses, itRefuses, madeOps, mergeAll, run, withGetter, worlds, type Model } from './world';

type Op = { kind: 'add' | 'remove'; element: string };

const elements = fc.constantFrom('x', 'y', '', '__proto__', 'constructor');
const op: fc.Arbitrary<Op> = fc.record({ kind: fc.constantFrom('add' as const, 'remove' as const), element: elements });

const model: Model<SetState, SetValue, Op, null> = {
  type: setType,
  replicas: ['w1', '__proto__', 'w3', 'w0'],
  op,
  writer: () => null,
  apply: (_, replica, own, view, o) => (o.kind === 'add' ? addTo(own, replica, o.element) : removeFrom(own, view, o.element)),
};

const { empty, merge, value, compact } = setType;

/** Every dot in a state's adds, as "replica:seq". */
function addedDots(state: SetState): string[] {
  return Object.values(state.adds).flatMap((dots) => Object.entries(dots).flatMap(([r, seqs]) => seqs.map((s) => `${r}:${s}`)));
}

function removedDots(state: SetState): string[] {
  return Object.entries(state.removes).flatMap(([r, seqs]) => seqs.map((s) => `${r}:${s}`));
}

describe('add-wins set', () => {
  itObeysTheLaws(model);

  it('gives what the adds and removes made in order, when every writer saw every operation before its own', () => {
    fc.assert(fc.property(worlds(model, true), (world) => {
      const expected = new Set<string>();
      for (const { op: o } of madeOps(world)) {
        if (o.kind === 'add') expected.add(o.element);
        else expected.delete(o.element);
      }
      expect(value(mergeAll(setType, world.finals))).toEqual([...expected].sort());
    }));
  });

  it('keeps an element added concurrently with its removal: the add wins', () => {
    const a1 = addTo(empty(), 'a', 'x');
    const b1 = removeFrom(empty(), a1, 'x'); // b saw a's first add
    const a2 = addTo(a1, 'a', 'x'); // a adds again, not having seen b's remove
    expect(value(merge(a2, b1))).toEqual(['x']);
    expect(value(merge(a1, b1))).toEqual([]);
    // A remove that saw the second add too removes it for good.
    const b2 = removeFrom(b1, merge(a2, b1), 'x');
    expect(value(merge(a2, b2))).toEqual([]);
  });

  it('holds only its own operations in a contribution: adds under its own id, removes of the dots it saw', () => {
    const a = addTo(addTo(empty(), 'a', 'x'), 'a', 'y');
    const b = removeFrom(addTo(empty(), 'b', 'z'), a, 'x');
    expect(addedDots(b)).toEqual(['b:1']);
    expect(b.removes).toEqual({ a: [1] });
    expect(removeFrom(b, a, 'nothing')).toBe(b);
  });

  it('compacts away every dot both added and removed', () => {
    fc.assert(fc.property(worlds(model), (world) => {
      const compacted = compact(mergeAll(setType, world.finals));
      const removed = new Set(removedDots(compacted));
      expect(addedDots(compacted).filter((d) => removed.has(d))).toEqual([]);
      // Every replica's adds were all merged, so no remove is left: each was of a dot added here.
      expect(compacted.removes).toEqual({});
    }));
  });

  it('drops a late remove of a dot that an earlier fold already dropped, instead of keeping it forever', () => {
    const a = addTo(empty(), 'a', 'x');
    const b = removeFrom(empty(), a, 'x');
    const c = removeFrom(empty(), a, 'x'); // c saw the same add and removed it too
    let base = compact(merge(empty(), a));
    base = compact(merge(base, b)); // the add and b's remove cancel out
    expect(addedDots(base)).toEqual([]);
    expect(base.covered).toEqual({ a: 1 });
    base = compact(merge(base, c));
    expect(base.removes).toEqual({});
    expect(value(base)).toEqual([]);
  });

  it("keeps a folded writer's remove of a running writer's dot, so the element stays removed", () => {
    const running = addTo(empty(), 'running', 'x');
    const gone = removeFrom(empty(), running, 'x');
    const base = compact(merge(empty(), gone));
    expect(base.removes).toEqual({ running: [1] });
    expect(value(merge(base, running))).toEqual([]);
  });

  it('numbers a replica\'s dots past everything its state knows of', () => {
    const removed = setType.parse({ adds: { x: { a: [2] } }, removes: { a: [5] }, covered: { a: 3 } });
    expect(addedDots(addTo(removed, 'a', 'y'))).toContain('a:6');
    const covered = setType.parse({ adds: { x: { a: [2] } }, removes: { a: [5] }, covered: { a: 7 } });
    expect(addedDots(addTo(covered, 'a', 'y'))).toContain('a:8');
  });

  it('works with a world built step by step (the harness really folds)', () => {
    // Guards the law tests against a harness that folds nothing: here two writers are folded.
    const world = run(model, [
      { kind: 'op', replica: 0, seesBase: true, sees: [true, true, true, true], op: { kind: 'add', element: 'x' } },
      { kind: 'op', replica: 1, seesBase: true, sees: [true, true, true, true], op: { kind: 'remove', element: 'x' } },
      { kind: 'fold', replica: 0 },
      { kind: 'fold', replica: 1 },
    ]);
    expect(world.folded).toEqual([0, 1]);
    expect(world.base).toEqual({ adds: {}, removes: {}, covered: { w1: 1 } });
  });

  it('refuses bad replica ids and elements', () => {
    expect(() => addTo(empty(), '', 'x')).toThrow(TypeError);
    expect(() => addTo(empty(), 'a', 'x'.repeat(1025))).toThrow(TypeError);
    expect(() => addTo(empty(), 'a', 5 as unknown as string)).toThrow(TypeError);
    expect(() => removeFrom(empty(), empty(), null as unknown as string)).toThrow(TypeError);
  });

  const valid = { adds: { x: { a: [1, 2] } }, removes: { a: [1] }, covered: {} };
  it('accepts a valid state, with a __proto__ element as an ordinary one', () => {
    expect(value(setType.parse(valid))).toEqual(['x']);
    const s = setType.parse(JSON.parse('{"adds":{"__proto__":{"a":[1]}},"removes":{},"covered":{}}'));
    expect(value(s)).toEqual(['__proto__']);
  });

  itRefuses(setType as never, [
    ['null', null],
    ['an empty object', {}],
    ['a state without covered', { adds: {}, removes: {} }],
    ['an extra field', { ...valid, other: 1 }],
    ['an own __proto__ field', JSON.parse('{"adds":{},"removes":{},"covered":{},"__proto__":{}}')],
    ['adds that are an array', { ...valid, adds: [] }],
    ['an element with no dots', { ...valid, adds: { x: {} } }],
    ['a replica with no sequence numbers', { ...valid, adds: { x: { a: [] } } }],
    ['sequence numbers out of order', { ...valid, adds: { x: { a: [2, 1] } } }],
    ['a repeated sequence number', { ...valid, removes: { a: [1, 1] } }],
    ['a sequence number 0', { ...valid, adds: { x: { a: [0] } } }],
    ['a negative sequence number', { ...valid, adds: { x: { a: [-1] } } }],
    ['a fractional sequence number', { ...valid, adds: { x: { a: [1.5] } } }],
    ['NaN', { ...valid, adds: { x: { a: [NaN] } } }],
    ['Infinity', { ...valid, removes: { a: [Infinity] } }],
    ['a sequence number that is a string', { ...valid, adds: { x: { a: ['1'] } } }],
    ['sequence numbers that are an object', { ...valid, adds: { x: { a: { 0: 1 } } } }],
    ['an empty replica id', { ...valid, removes: { '': [1] } }],
    ['a huge replica id', { ...valid, removes: { ['r'.repeat(1025)]: [1] } }],
    ['a huge element', { ...valid, adds: { ['e'.repeat(1025)]: { a: [1] } } }],
    ['a covered count of 0', { ...valid, covered: { a: 0 } }],
    ['a negative covered count', { ...valid, covered: { a: -1 } }],
    ['a hole in the sequence numbers', { ...valid, adds: { x: { a: [1, , 3] } } }], // eslint-disable-line no-sparse-arrays
    ['an inherited field', Object.assign(Object.create({ adds: {} }), { removes: {}, covered: {} })],
    ['an accessor', withGetter({ removes: {}, covered: {} }, 'adds')],
  ]);

  itParsesOrRefuses(setType, fc.record({
    adds: fc.dictionary(fc.oneof(elements, fc.string()), fc.dictionary(fc.string({ maxLength: 2 }), fc.array(fc.integer({ min: -1, max: 5 }), { maxLength: 3 }))),
    removes: fc.dictionary(fc.string({ maxLength: 2 }), fc.oneof(fc.uniqueArray(fc.nat(6), { maxLength: 3 }).map((a) => a.sort((x, y) => x - y)), fc.jsonValue())),
    covered: fc.dictionary(fc.string({ maxLength: 2 }), fc.integer({ min: -1, max: 6 })),
  }).map((d) => JSON.parse(JSON.stringify(d))));
});
