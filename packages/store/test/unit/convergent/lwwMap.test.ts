import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeStamp, HybridClock, type Stamp } from '../../../src/convergent/hlc';
import { deleteIn, latestStamp, mapType, setIn, type JsonValue, type MapState, type MapValue } from '../../../src/convergent/lwwMap';
import { itObeysTheLaws, itParsesOrRefuses, itRefuses, madeOps, mergeAll, withGetter, worlds, type Model } from './world';

type Op = { kind: 'set'; key: string; value: JsonValue; now: number } | { kind: 'delete'; key: string; now: number };

const keys = fc.constantFrom('a', 'b', '', '__proto__', 'constructor', 'toString', '0');
// Wall times from a small range: clocks jump back and forth and writers often stamp alike, so ties are common.
const now = fc.integer({ min: 0, max: 12 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key: keys, value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>, now }),
  fc.record({ kind: fc.constant('delete' as const), key: keys, now }),
);

/** A writer: its clock reads the wall time the operation came with. */
interface Writer {
  clock: HybridClock;
  wall: number;
}

const model: Model<MapState, MapValue, Op, Writer> = {
  type: mapType,
  replicas: ['w1', '__proto__', 'w3', 'w0'],
  op,
  writer() {
    const writer: Writer = { clock: new HybridClock(() => writer.wall), wall: 0 };
    return writer;
  },
  apply(writer, replica, own, view, o) {
    writer.wall = o.now;
    const latest = latestStamp(view);
    if (latest) writer.clock.observe(latest);
    const stamp = writer.clock.tick();
    return o.kind === 'set' ? setIn(own, o.key, o.value, stamp, replica) : deleteIn(own, o.key, stamp, replica);
  },
};

const at = (wall: number, logical = 0): Stamp => ({ wall, logical });
const empty = mapType.empty();

describe('last-writer-wins map', () => {
  itObeysTheLaws(model);

  it('gives what the writes made in order, when every writer saw every write before its own', () => {
    fc.assert(fc.property(worlds(model, true), (world) => {
      const expected = new Map<string, JsonValue>();
      for (const { op: o } of madeOps(world)) {
        if (o.kind === 'set') expected.set(o.key, JSON.parse(JSON.stringify(o.value)) as JsonValue); // values are stored as JSON reads them back (-0 as 0)
        else expected.delete(o.key);
      }
      const value = mapType.value(mergeAll(mapType, world.finals));
      expect(Object.keys(value).sort()).toEqual([...expected.keys()].sort());
      for (const [k, v] of expected) expect(value[k]).toEqual(v);
    }));
  });

  it('breaks a tie of stamps by writer id, whichever state arrives first', () => {
    // Values chosen to sort the other way round from their writers: the writer id decides, not the content.
    const fromA = setIn(empty, 'k', 'z', at(7), 'a');
    const fromZ = setIn(empty, 'k', 'a', at(7), 'z');
    expect(mapType.value(mapType.merge(fromA, fromZ)).k).toBe('a');
    expect(mapType.value(mapType.merge(fromZ, fromA)).k).toBe('a');
  });

  it('stays a join even for forged data: one (stamp, writer) with two contents', () => {
    const one = setIn(empty, 'k', 1, at(7), 'w');
    const other = deleteIn(empty, 'k', at(7), 'w');
    expect(mapType.merge(one, other)).toEqual(mapType.merge(other, one));
  });

  it('lets the later stamp win, a delete included, and a later set bring a key back', () => {
    const set = setIn(empty, 'k', 1, at(5), 'z');
    const deleted = deleteIn(empty, 'k', at(6), 'a');
    expect(Object.keys(mapType.value(mapType.merge(set, deleted)))).toEqual([]);
    const again = setIn(empty, 'k', 2, at(6, 1), 'a');
    expect(mapType.value(mapType.merge(mapType.merge(set, deleted), again))).toEqual({ k: 2 });
  });

  it("keeps '__proto__', 'constructor' and '' as ordinary keys, and pollutes nothing", () => {
    let s = setIn(empty, '__proto__', { polluted: true }, at(1), 'w');
    s = setIn(s, 'constructor', 'c', at(2), 'w');
    s = setIn(s, '', 'empty', at(3), 'w');
    const value = mapType.value(s);
    expect(Object.keys(value).sort()).toEqual(['', '__proto__', 'constructor']);
    expect(value['__proto__']).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(mapType.parse(JSON.parse(JSON.stringify(s)))).toEqual(s);
    // A state built as a plain object literal still has no '__proto__' entry to overwrite.
    expect(mapType.value(setIn({}, '__proto__', 1, at(1), 'w'))['__proto__']).toBe(1);
  });

  it('copies the value it is given, and hands out values that cannot be changed', () => {
    const original = { list: [1, 2] };
    const s = setIn(empty, 'k', original, at(1), 'w');
    original.list.push(3);
    const read = mapType.value(s).k as { list: number[] };
    expect(read).toEqual({ list: [1, 2] });
    expect(() => read.list.push(4)).toThrow(TypeError);
  });

  it("refuses a write that is not after the key's own entry: the writer's state would shrink", () => {
    const s = setIn(empty, 'k', 1, at(5), 'w');
    expect(() => setIn(s, 'k', 2, at(5), 'w')).toThrow(RangeError);
    expect(() => deleteIn(s, 'k', at(4), 'w')).toThrow(RangeError);
    expect(mapType.value(setIn(s, 'k', 2, at(5, 1), 'w'))).toEqual({ k: 2 });
  });

  it('refuses values that are not JSON data, and bad keys and writer ids', () => {
    for (const bad of [undefined, NaN, () => 1, new Date(0), new Map(), [1, , 2]]) { // eslint-disable-line no-sparse-arrays
      expect(() => setIn(empty, 'k', bad, at(1), 'w')).toThrow(TypeError);
    }
    expect(() => setIn(empty, 'x'.repeat(1025), 1, at(1), 'w')).toThrow(TypeError);
    expect(() => setIn(empty, 'k', 1, at(1), '')).toThrow(TypeError);
    expect(() => deleteIn(empty, 5 as unknown as string, at(1), 'w')).toThrow(TypeError);
  });

  it('keeps tombstones when compacting: a running writer may still hold an older write of the key', () => {
    const deleted = deleteIn(empty, 'k', at(9), 'gone');
    const running = setIn(empty, 'k', 'old', at(2), 'running');
    expect(mapType.value(mapType.merge(mapType.compact(deleted), running))).toEqual({});
  });

  const t = encodeStamp(at(1));
  itRefuses(mapType as never, [
    ['null', null],
    ['an array', []],
    ['an entry that is a string', { k: 'v' }],
    ['an entry without a stamp', { k: { v: 1, w: 'w' } }],
    ['an entry without a writer', { k: { v: 1, t } }],
    ['an entry without a value', { k: { t, w: 'w' } }],
    ['an empty writer id', { k: { v: 1, t, w: '' } }],
    ['a huge writer id', { k: { v: 1, t, w: 'w'.repeat(1025) } }],
    ['a huge key', { ['k'.repeat(1025)]: { v: 1, t, w: 'w' } }],
    ['a stamp that is a number', { k: { v: 1, t: 1, w: 'w' } }],
    ['a malformed stamp', { k: { v: 1, t: 'yesterday', w: 'w' } }],
    ['a deleted flag that is not true', { k: { v: 1, t, w: 'w', deleted: false } }],
    ['a deleted entry with a value', { k: { v: 1, t, w: 'w', deleted: true } }],
    ['an extra field', { k: { v: 1, t, w: 'w', x: 1 } }],
    ['an own __proto__ field in an entry', { k: JSON.parse(`{"v":1,"t":"${t}","w":"w","__proto__":{}}`) }],
    ['a value that is NaN', { k: { v: NaN, t, w: 'w' } }],
    ['a value that is a Date', { k: { v: new Date(0), t, w: 'w' } }],
    ['an inherited entry', Object.create({ k: { v: 1, t, w: 'w' } })],
    ['an accessor entry', withGetter({}, 'k')],
    ['an accessor value', { k: withGetter({ t, w: 'w' }, 'v') }],
  ]);

  itParsesOrRefuses(mapType, fc.dictionary(
    fc.oneof(keys, fc.string()),
    fc.oneof(
      fc.record({ v: fc.jsonValue({ maxDepth: 2 }), t: fc.oneof(fc.constant(t), fc.string()), w: fc.string({ maxLength: 3 }) }),
      fc.record({ v: fc.constant(null), deleted: fc.constant(true), t: fc.constant(t), w: fc.constantFrom('a', 'b') }),
      fc.jsonValue(),
    ),
  ).map((d) => JSON.parse(JSON.stringify(d))));
});
