import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareStamps, decodeStamp, encodeStamp, HybridClock, maxLogical, type Stamp } from '../../../src/convergent/hlc';

const stamps: fc.Arbitrary<Stamp> = fc.record({
  wall: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.constant(Number.MAX_SAFE_INTEGER)),
  logical: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: maxLogical }), fc.constant(maxLogical)),
});

/** A wall clock that reads the given times in turn: standing still, jumping back, jumping ahead. */
function clockReading(times: readonly number[]): () => number {
  let i = 0;
  return () => times[i++ % times.length]!;
}

const times = fc.array(fc.oneof(fc.integer({ min: -5, max: 30 }), fc.double({ min: -1e3, max: 1e13, noNaN: true })), { minLength: 1, maxLength: 40 });

describe('hybrid logical clock', () => {
  it('ticks strictly increase, however the wall clock jumps back', () => {
    fc.assert(fc.property(times, (readings) => {
      const clock = new HybridClock(clockReading(readings));
      let last = clock.tick();
      for (let i = 0; i < 60; i++) {
        const next = clock.tick();
        expect(compareStamps(last, next)).toBe(-1);
        last = next;
      }
    }));
  });

  it('follows the wall clock when it moves ahead', () => {
    const clock = new HybridClock(clockReading([1000, 1000, 2000, 500, 3000]));
    expect([clock.tick(), clock.tick(), clock.tick(), clock.tick(), clock.tick()]).toEqual([
      { wall: 1000, logical: 0 }, { wall: 1000, logical: 1 }, { wall: 2000, logical: 0 }, { wall: 2000, logical: 1 }, { wall: 3000, logical: 0 },
    ]);
  });

  it('ticks after anything it observed, and observing the past changes nothing', () => {
    fc.assert(fc.property(times, fc.array(stamps, { maxLength: 5 }), (readings, seen) => {
      const clock = new HybridClock(clockReading(readings));
      const mine = clock.tick();
      for (const stamp of seen) clock.observe(stamp);
      const latest = [mine, ...seen].reduce((a, b) => (compareStamps(a, b) >= 0 ? a : b));
      if (latest.wall === Number.MAX_SAFE_INTEGER && latest.logical === maxLogical) {
        expect(() => clock.tick()).toThrow(RangeError); // the end of time: nothing comes after it
        return;
      }
      expect(compareStamps(clock.tick(), latest)).toBe(1);
    }));
  });

  it('moves its wall time on by one when the ticks within a millisecond run out', () => {
    const clock = new HybridClock(() => 5);
    clock.observe({ wall: 5, logical: maxLogical });
    expect(clock.tick()).toEqual({ wall: 6, logical: 0 });
  });

  it('refuses a now() that is not a finite number, and an observed stamp that is not one', () => {
    expect(() => new HybridClock(() => NaN).tick()).toThrow(TypeError);
    expect(() => new HybridClock(() => Infinity).tick()).toThrow(TypeError);
    const clock = new HybridClock(() => 0);
    for (const bad of [null, {}, { wall: -1, logical: 0 }, { wall: 1.5, logical: 0 }, { wall: 1, logical: maxLogical + 1 }, { wall: 2 ** 53, logical: 0 }]) {
      expect(() => clock.observe(bad as Stamp)).toThrow(TypeError);
    }
  });

  it('encodes stamps in a fixed width whose string order is the stamp order', () => {
    fc.assert(fc.property(stamps, stamps, (a, b) => {
      const [x, y] = [encodeStamp(a), encodeStamp(b)];
      expect(x.length).toBe(y.length);
      expect(x < y ? -1 : x > y ? 1 : 0).toBe(compareStamps(a, b));
      expect(decodeStamp(x)).toEqual(a);
    }));
  });

  it.each([
    ['a number', 5],
    ['upper-case hex', '0000000000000A.00000000'],
    ['too short', '0000000000000.00000000'],
    ['too long', '000000000000000.00000000'],
    ['no separator', '0000000000000000000000'],
    ['a wall time beyond the safe integers', '20000000000000.00000000'],
    ['trailing text', '00000000000000.00000000\n'],
  ])('decodeStamp refuses %s', (_, text) => {
    expect(() => decodeStamp(text)).toThrow(TypeError);
  });
});
