import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  combinedStreak,
  decodeDays,
  EMPTY_SYNCED,
  encodeDays,
  encodeSynced,
  isCounted,
  MAX_MACHINES,
  mergeSynced,
  otherMachines,
  parseSynced,
  PART_DAYS,
  RETIRE_AFTER_MS,
  retireStale,
  PART_SESSIONS,
  type MachinePart,
  type SyncedProgress,
} from '../../../src/engine/syncedProgress';
import { addDays } from '../../../src/engine/calendar';

const machineId = fc.constantFrom('laptop', 'desktop', 'work', 'm4');
const day = fc.integer({ min: 0, max: 60 }).map((n) => addDays('2026-11-01', n));
const session = fc.record({
  id: fc.constantFrom('s1', 's2', 's3', 's4', 's5'),
  startedAt: fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }),
  goalMinutes: fc.integer({ min: 1, max: 60 }),
  activeMs: fc.nat(3_600_000),
  cycles: fc.nat(300),
  bonusXp: fc.nat(30),
}).map((s) => ({ ...s, endedAt: s.startedAt + s.activeMs }));
const part: fc.Arbitrary<MachinePart> = fc.record({
  rev: fc.integer({ min: 1, max: 6 }),
  at: fc.integer({ min: 0, max: 100 }),
  xp: fc.nat(5000),
  totals: fc.record({ activeMs: fc.nat(1e9), sessions: fc.nat(500) }),
  today: fc.record({ day: fc.option(day, { nil: null }), activeMs: fc.nat(1e7), sessions: fc.nat(9) }),
  streak: fc.record({ current: fc.nat(40), longest: fc.nat(40), lastDay: fc.option(day, { nil: null }) }),
  days: fc.uniqueArray(day, { maxLength: 10 }).map((ds) => encodeDays(ds, '2026-12-31')),
  recent: fc.array(session, { maxLength: 3 }),
  future: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }),
  retired: fc.option(fc.constant(true), { nil: undefined }),
}).map((p) => parseSynced({ v: 1, machines: { m: p } }).machines.m as MachinePart);
const state: fc.Arbitrary<SyncedProgress> = fc
  .record({
    machines: fc.dictionary(machineId, part, { maxKeys: 4 }),
    reset: fc.option(fc.record({ id: fc.constantFrom('r1', 'r2', 'r3'), at: fc.nat(100), by: machineId, seen: fc.dictionary(machineId, fc.nat(6), { maxKeys: 3 }) }), { nil: null }),
    extra: fc.dictionary(fc.constantFrom('hint', 'later'), fc.constantFrom(1, 2, 'x'), { maxKeys: 2 }),
  })
  .map((s) => parseSynced({ v: 1, ...s.extra, machines: s.machines, reset: s.reset }));

const same = (a: SyncedProgress, b: SyncedProgress) => expect(canonicalJson(encodeSynced(a))).toBe(canonicalJson(encodeSynced(b)));

describe('synced progress: the merge is a join', () => {
  it('commutative, associative, idempotent; the empty state is neutral', () => {
    fc.assert(
      fc.property(state, state, state, (a, b, c) => {
        same(mergeSynced(a, b), mergeSynced(b, a));
        same(mergeSynced(mergeSynced(a, b), c), mergeSynced(a, mergeSynced(b, c)));
        same(mergeSynced(a, a), a);
        same(mergeSynced(a, EMPTY_SYNCED), a);
      }),
      { numRuns: 200 },
    );
  });

  it('any interleaving and duplication of deliveries gives one state; encoding and parsing it changes nothing', () => {
    fc.assert(
      fc.property(fc.array(state, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), (states, picks) => {
        const inOrder = states.reduce(mergeSynced, EMPTY_SYNCED);
        const shuffled = [...states].reverse().concat(picks.map((i) => states[i % states.length] as SyncedProgress));
        same(shuffled.reduce(mergeSynced, EMPTY_SYNCED), inOrder);
        same(parseSynced(JSON.parse(JSON.stringify(encodeSynced(inOrder)))), inOrder);
      }),
    );
  });

  it('never sums two copies of one machine: the combined XP is one term per machine, the newest copy of each', () => {
    fc.assert(
      fc.property(fc.array(state, { minLength: 1, maxLength: 5 }), (states) => {
        const merged = states.reduce(mergeSynced, EMPTY_SYNCED);
        let expected = 0;
        for (const [id, p] of Object.entries(merged.machines)) {
          const copies = states.map((s) => s.machines[id]).filter((x): x is MachinePart => x !== undefined);
          expect(p.rev).toBe(Math.max(...copies.map((c) => c.rev)));
          if (id !== 'me' && isCounted(id, p, merged.reset)) expected += p.xp;
        }
        expect(otherMachines(merged, 'me').xp).toBe(expected);
      }),
    );
  });
});

describe('synced progress: parsing untrusted values', () => {
  const good = { v: 1, machines: { laptop: { rev: 3, at: 5, xp: 40, totals: { activeMs: 600_000, sessions: 2 } } }, reset: null };

  it('reads a good value, keeps fields a newer version wrote, and reads an absent one as empty', () => {
    const s = parseSynced({ ...good, shinyNewThing: { a: 1 }, machines: { laptop: { ...good.machines.laptop, mood: 'calm' } } });
    expect(s.machines.laptop?.xp).toBe(40);
    expect(s.machines.laptop?.mood).toBe('calm');
    expect(encodeSynced(s).shinyNewThing).toEqual({ a: 1 });
    expect(parseSynced(undefined)).toEqual(EMPTY_SYNCED);
  });

  it.each([
    ['a string', 'hello'],
    ['an array', [1, 2]],
    ['no format version', { machines: {} }],
    ['no machines', { v: 1 }],
    ['a hostile machine id', { v: 1, machines: { '../../etc': good.machines.laptop } }],
    ['too many machines', { v: 1, machines: Object.fromEntries(Array.from({ length: MAX_MACHINES + 1 }, (_, i) => [`m${i}`, { rev: 1 }])) }],
    ['a reset without an id', { v: 1, machines: {}, reset: { at: 1, by: 'x' } }],
    ['a huge unknown field', { v: 1, machines: {}, junk: 'x'.repeat(10_000) }],
  ])('refuses %s with a TypeError that says what is wrong', (_what, value) => {
    expect(() => parseSynced(value)).toThrow(TypeError);
  });

  it('zeroes bad numbers, leaves out an unreadable part, and keeps no prototype tricks', () => {
    const s = parseSynced(
      JSON.parse('{"v":1,"machines":{"a":{"rev":2,"xp":-5,"totals":{"activeMs":1e300,"sessions":"many"}},"b":{"rev":0},"__proto__":{"rev":9}},"__proto__":{"polluted":true}}'),
    );
    expect(s.machines.a?.xp).toBe(0);
    expect(s.machines.a?.totals.activeMs).toBe(Number.MAX_SAFE_INTEGER);
    expect(s.machines.a?.totals.sessions).toBe(0);
    expect(s.machines.b).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(s.machines)).toEqual(['a']);
  });
});

describe('days and streaks across machines', () => {
  it('a day set round-trips through its bitset within PART_DAYS', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(PART_DAYS + 50), { maxLength: 60 }), (offsets) => {
        const to = '2026-12-07';
        const days = offsets.map((o) => addDays(to, -o));
        const back = decodeDays(encodeDays(days, to));
        expect(new Set(back)).toEqual(new Set(days.filter((_, i) => (offsets[i] as number) < PART_DAYS)));
      }),
    );
  });

  it('alternate days on two machines make one streak of every day', () => {
    const laptopDays = ['2026-12-01', '2026-12-03', '2026-12-05'];
    const desktop = { rev: 1, at: 0, streak: { current: 1, longest: 1, lastDay: '2026-12-06' }, days: encodeDays(['2026-12-02', '2026-12-04', '2026-12-06'], '2026-12-06') };
    const others = otherMachines(parseSynced({ v: 1, machines: { desktop } }), 'laptop');
    const streak = combinedStreak({ current: 1, longest: 1, lastDay: '2026-12-05' }, new Set(laptopDays), others);
    expect(streak).toEqual({ current: 6, longest: 6, lastDay: '2026-12-06' });
  });
});

describe('a reset (Clear Data)', () => {
  it('leaves out the parts it saw, by rev; parts it never saw count only when written after it', () => {
    const reset = { id: 'r', at: 100, by: 'a', seen: { b: 3 } };
    const p = (rev: number, at: number) => parseSynced({ v: 1, machines: { x: { rev, at } } }).machines.x as MachinePart;
    expect(isCounted('b', p(3, 500), reset)).toBe(false);
    expect(isCounted('b', p(4, 50), reset)).toBe(true);
    expect(isCounted('c', p(9, 99), reset)).toBe(false);
    expect(isCounted('c', p(1, 101), reset)).toBe(true);
  });

  it('the newest reset wins in any order', () => {
    const older = parseSynced({ v: 1, machines: {}, reset: { id: 'r1', at: 10, by: 'a', seen: {} } });
    const newer = parseSynced({ v: 1, machines: {}, reset: { id: 'r2', at: 20, by: 'b', seen: {} } });
    expect(mergeSynced(older, newer).reset?.id).toBe('r2');
    expect(mergeSynced(newer, older).reset?.id).toBe('r2');
  });
});

describe('machines not heard from for long', () => {
  const part = (rev: number, at: number) => ({ rev, at, xp: 70, totals: { activeMs: 9e6, sessions: 12 }, today: { day: '2026-01-02', activeMs: 5, sessions: 1 }, streak: { current: 2, longest: 9, lastDay: '2026-01-02' }, days: encodeDays(['2026-01-01', '2026-01-02'], '2026-01-02'), recent: [{ id: 's', startedAt: 1, endedAt: 2, goalMinutes: 5, activeMs: 1, cycles: 1, bonusXp: 0 }] });
  it('are retired to their totals: the same numbers counted, a smaller copy that wins at the same rev and loses to the machine\'s next', () => {
    const now = RETIRE_AFTER_MS + 10_000;
    const state = parseSynced({ v: 1, machines: { old: part(5, 1_000), live: part(3, now - 1) } });
    const retired = retireStale(state, 'me', now);
    expect(retired.machines.old?.retired).toBe(true);
    expect(retired.machines.old?.recent).toEqual([]);
    expect(retired.machines.live?.retired).toBeUndefined();
    expect(otherMachines(retired, 'me').xp).toBe(otherMachines(state, 'me').xp);
    expect(otherMachines(retired, 'me').totals).toEqual(otherMachines(state, 'me').totals);
    expect(mergeSynced(state, retired).machines.old?.retired).toBe(true);
    expect(mergeSynced(retired, state).machines.old?.retired).toBe(true);
    const back = parseSynced({ v: 1, machines: { old: part(6, now) } });
    expect(mergeSynced(retired, back).machines.old).toEqual(back.machines.old);
    expect(retireStale(state, 'old', now).machines.old?.retired).toBeUndefined();
  });
});

describe('size', () => {
  it(`a part with ${PART_SESSIONS} sessions and a year of days stays small`, () => {
    const days = Array.from({ length: 365 }, (_, i) => addDays('2026-12-07', -i)).filter((_, i) => i % 3 !== 1);
    const recent = Array.from({ length: 30 }, (_, i) => ({
      id: globalThis.crypto.randomUUID(),
      startedAt: 1_790_000_000_000 + i * 86_400_000,
      endedAt: 1_790_000_600_000 + i * 86_400_000,
      goalMinutes: 10,
      activeMs: 600_000,
      cycles: 42,
      bonusXp: 5,
    }));
    const machine = { rev: 123_456, at: 1_790_000_000_000, xp: 123_456, totals: { activeMs: 9_999_999_999, sessions: 4321 }, today: { day: '2026-12-07', activeMs: 600_000, sessions: 1 }, streak: { current: 2, longest: 40, lastDay: '2026-12-07' }, days: encodeDays(days, '2026-12-07'), recent: recent.slice(-PART_SESSIONS) };
    const eight = parseSynced({ v: 1, machines: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`${globalThis.crypto.randomUUID()}`.replace(/-/g, '').slice(0, 32) + i, machine])), reset: { id: globalThis.crypto.randomUUID(), at: 1, by: 'a', seen: {} } });
    const bytes = JSON.stringify(encodeSynced(eight)).length;
    console.log(`synced progress: one machine ${JSON.stringify(machine).length} bytes, eight machines ${bytes} bytes`);
    expect(bytes).toBeLessThanOrEqual(16 * 1024);
  });

  it('four machines in use and twenty retired ones stay under 16 KB', () => {
    const days = Array.from({ length: 365 }, (_, i) => addDays('2026-12-07', -i));
    const recent = Array.from({ length: PART_SESSIONS }, (_, i) => ({ id: globalThis.crypto.randomUUID(), startedAt: 1_790_000_000_000 + i, endedAt: 1_790_000_600_000 + i, goalMinutes: 10, activeMs: 600_000, cycles: 42, bonusXp: 5 }));
    const live = { rev: 99_999, at: 1_790_000_000_000, xp: 99_999, totals: { activeMs: 9_999_999_999, sessions: 9999 }, today: { day: '2026-12-07', activeMs: 600_000, sessions: 1 }, streak: { current: 365, longest: 365, lastDay: '2026-12-07' }, days: encodeDays(days, '2026-12-07'), recent };
    const machines: Record<string, unknown> = {};
    for (let i = 0; i < 24; i++) machines[globalThis.crypto.randomUUID()] = { ...live, at: i < 4 ? live.at : 1_000 };
    const state = retireStale(parseSynced({ v: 1, machines }), 'me', live.at);
    const bytes = JSON.stringify(encodeSynced(state)).length;
    console.log(`synced progress: 4 machines in use + 20 retired: ${bytes} bytes`);
    expect(bytes).toBeLessThanOrEqual(16 * 1024);
  });
});
