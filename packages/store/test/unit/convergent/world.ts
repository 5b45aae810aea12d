import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { ConvergentType } from '../../../src/convergent/type';

/**
 * Reachable states, made the way the store will make them: several writers each growing their own contribution
 * from what they see (their own state, and maybe the base and some of the others' current states — concurrency is
 * what they do not see), and gone writers folded one by one into a compacted base that the live ones may see.
 */
export interface Model<S, V, Op, W> {
  readonly type: ConvergentType<S, V>;
  /** Replica ids, tricky ones among them ('__proto__' must be an ordinary id). */
  readonly replicas: readonly string[];
  readonly op: fc.Arbitrary<Op>;
  /** Per-writer context (a clock, say). */
  writer(replica: string): W;
  /** The writer's next state after `op`, having seen `view` (its own state merged with whatever else it saw). */
  apply(writer: W, replica: string, own: S, view: S, op: Op): S;
}

export type Step<Op> =
  | { readonly kind: 'op'; readonly replica: number; readonly seesBase: boolean; readonly sees: readonly boolean[]; readonly op: Op }
  | { readonly kind: 'fold'; readonly replica: number };

export interface World<S, Op> {
  readonly steps: ReadonlyArray<Step<Op>>;
  /** Per replica: its successive states, the empty one first. */
  readonly histories: readonly S[][];
  /** Per replica: its last state. */
  readonly finals: readonly S[];
  /** Replicas folded into `base`, in folding order. */
  readonly folded: readonly number[];
  /** compact(merge(…compact(merge(empty, first folded)…, last folded)). */
  readonly base: S;
  /** Every state any writer saw, bases included. */
  readonly views: readonly S[];
}

export function mergeAll<S>(type: ConvergentType<S, unknown>, states: readonly S[]): S {
  return states.reduce((a, b) => type.merge(a, b), type.empty());
}

function steps<Op>(model: Model<unknown, unknown, Op, unknown>, fullSync: boolean): fc.Arbitrary<Array<Step<Op>>> {
  const n = model.replicas.length;
  const replica = fc.nat({ max: n - 1 });
  const opStep = fc.record({
    kind: fc.constant('op' as const),
    replica,
    seesBase: fullSync ? fc.constant(true) : fc.boolean(),
    sees: fc.array(fullSync ? fc.constant(true) : fc.boolean(), { minLength: n, maxLength: n }),
    op: model.op,
  });
  const foldStep = fc.record({ kind: fc.constant('fold' as const), replica });
  return fc.array(fc.oneof({ arbitrary: opStep, weight: 8 }, { arbitrary: foldStep, weight: 1 }), { maxLength: 30 });
}

export function run<S, V, Op, W>(model: Model<S, V, Op, W>, plan: ReadonlyArray<Step<Op>>): World<S, Op> {
  const { type, replicas } = model;
  const writers = replicas.map((r) => model.writer(r));
  const histories = replicas.map(() => [type.empty()]);
  const current = (i: number): S => histories[i]!.at(-1)!;
  const folded: number[] = [];
  let base = type.empty();
  const views: S[] = [base];
  for (const step of plan) {
    if (folded.includes(step.replica)) continue; // a gone writer neither writes nor is folded twice
    if (step.kind === 'fold') {
      folded.push(step.replica);
      base = type.compact(type.merge(base, current(step.replica)));
      views.push(base);
      continue;
    }
    let view = current(step.replica);
    if (step.seesBase) view = type.merge(view, base);
    replicas.forEach((_, other) => {
      if (other !== step.replica && step.sees[other] && !folded.includes(other)) view = type.merge(view, current(other));
    });
    views.push(view);
    histories[step.replica]!.push(model.apply(writers[step.replica]!, replicas[step.replica]!, current(step.replica), view, step.op));
  }
  return { steps: plan, histories, finals: replicas.map((_, i) => current(i)), folded, base, views };
}

/** The operations the writers made, in order: a writer makes none after it was folded. */
export function madeOps<Op>(world: World<unknown, Op>): Array<{ replica: number; op: Op }> {
  const gone = new Set<number>();
  const made: Array<{ replica: number; op: Op }> = [];
  for (const step of world.steps) {
    if (gone.has(step.replica)) continue;
    if (step.kind === 'fold') gone.add(step.replica);
    else made.push({ replica: step.replica, op: step.op });
  }
  return made;
}

export function worlds<S, V, Op, W>(model: Model<S, V, Op, W>, fullSync = false): fc.Arbitrary<World<S, Op>> {
  return steps(model as Model<unknown, unknown, Op, unknown>, fullSync).map((plan) => run(model, plan));
}

/** Every state of a world: contributions at each step, the views the writers merged, the base. */
function statesOf<S>(world: World<S, unknown>): S[] {
  return [...world.histories.flat(), ...world.views];
}

const json = (x: unknown): string => JSON.stringify(x);

/** The laws every convergent type obeys on reachable states; registers one `it` per law. */
export function itObeysTheLaws<S, V, Op, W>(model: Model<S, V, Op, W>): void {
  const { type } = model;
  const picks = fc.tuple(worlds(model), fc.nat(), fc.nat(), fc.nat()).map(([world, i, j, k]) => {
    const states = statesOf(world);
    return { world, a: states[i % states.length]!, b: states[j % states.length]!, c: states[k % states.length]! };
  });

  it('merge is commutative, associative and idempotent, and never mutates its arguments', () => {
    fc.assert(fc.property(picks, ({ a, b, c }) => {
      const before = [json(a), json(b), json(c)];
      expect(json(type.merge(a, b))).toBe(json(type.merge(b, a)));
      expect(type.merge(a, b)).toEqual(type.merge(b, a));
      expect(type.merge(type.merge(a, b), c)).toEqual(type.merge(a, type.merge(b, c)));
      expect(type.merge(a, a)).toEqual(a);
      expect([json(a), json(b), json(c)]).toEqual(before);
    }));
  });

  it('gives one result for any interleaving and duplication of deliveries', () => {
    // Every state each writer ever wrote, some more than once, in any order.
    const deliveries = worlds(model).chain((world) => {
      const states = world.histories.flat();
      return fc.array(fc.nat({ max: states.length - 1 }), { maxLength: states.length })
        .chain((dups) => fc.shuffledSubarray([...states.keys(), ...dups], { minLength: states.length + dups.length }))
        .map((order) => ({ world, shuffled: order.map((i) => states[i]!) }));
    });
    fc.assert(fc.property(deliveries, ({ world, shuffled }) => {
      const everything = mergeAll(type, world.finals);
      const folded = mergeAll(type, shuffled);
      expect(folded).toEqual(everything);
      expect(type.value(folded)).toEqual(type.value(everything));
    }));
  });

  it("makes each writer's successive states grow: merge(old, new) is new", () => {
    fc.assert(fc.property(worlds(model), (world) => {
      for (const history of world.histories) {
        for (let i = 1; i < history.length; i++) expect(type.merge(history[i - 1]!, history[i]!)).toEqual(history[i]);
      }
    }));
  });

  it('compacts without changing the value, and a compacted base merged with the live writers gives the value of everything', () => {
    fc.assert(fc.property(worlds(model), (world) => {
      const everything = mergeAll(type, world.finals);
      expect(type.value(type.compact(everything))).toEqual(type.value(everything));
      const live = world.finals.filter((_, i) => !world.folded.includes(i));
      expect(type.value(mergeAll(type, [world.base, ...live]))).toEqual(type.value(everything));
    }));
  });

  it('reads back every state it wrote: parse(JSON.parse(JSON.stringify(s))) equals s', () => {
    fc.assert(fc.property(worlds(model), (world) => {
      for (const s of [...statesOf(world), type.compact(mergeAll(type, world.finals))]) {
        const read = type.parse(JSON.parse(JSON.stringify(s)));
        expect(read).toEqual(s);
        expect(json(read)).toBe(json(s));
      }
    }), { numRuns: 40 }); // each run reads back some hundred states
  });
}

/** Data that parse must refuse with a TypeError, and that must not have polluted anything on the way. */
export function itRefuses(type: ConvergentType<unknown, unknown>, cases: ReadonlyArray<readonly [string, unknown]>): void {
  it.each(cases)('parse refuses %s', (_, data) => {
    expect(() => type.parse(data)).toThrow(TypeError);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
}

/** A getter on an otherwise valid-looking object: parse must refuse it without running it. */
export function withGetter(target: object, key: string): object {
  Object.defineProperty(target, key, {
    enumerable: true,
    get() {
      throw new Error('parse ran a getter');
    },
  });
  return target;
}

/** Whatever near-valid data parse is given, it refuses it with a TypeError or returns a state that obeys the laws. */
export function itParsesOrRefuses<S>(type: ConvergentType<S, unknown>, data: fc.Arbitrary<unknown>): void {
  it('parses near-valid data into a lawful state, or refuses it with a TypeError', () => {
    fc.assert(fc.property(data, (d) => {
      let s: S;
      try {
        s = type.parse(d);
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError);
        return;
      }
      expect(type.merge(s, s)).toEqual(s);
      expect(type.merge(s, type.empty())).toEqual(s);
      expect(type.parse(JSON.parse(JSON.stringify(s)))).toEqual(s);
      expect(type.value(type.compact(s))).toEqual(type.value(s));
    }), { numRuns: 100 });
  });
}
