import { checkCount, checkName, emptyTable, fields, keysOf, lookup, plainArray, plainEntries, quote, tableOf, type Table, withEntry } from './parsing';
import type { ConvergentType } from './type';

/**
 * An add-wins (observed-remove) set of strings. Every add is a dot — (replica id, sequence number), unique because
 * each replica numbers its own adds 1, 2, 3, … — and a remove removes the dots of the element that its writer saw.
 * An add concurrent with a remove made a dot that remove did not see, so the element stays: the add wins.
 *
 * A state is two grow-only sets, the dots added (by element) and the dots removed, so merge is their union and
 * a writer's contribution holds only its own operations: its adds, under its own replica id, and the dots it
 * removed, of any replica, as seen in the merged view. An element is in the set while one of its dots is not removed.
 *
 * What compact can drop is what can no longer matter to the contributions it will be merged with — those of writers
 * not folded yet, whose adds are never in the base: a dot both added and removed (its add is here, so its replica
 * was folded and will add nothing more), and a removed dot that its replica's folded adds show is already gone
 * (`covered`). What still grows: one dot per add of an element still in the set (re-adding a present element adds a
 * dot: it must win over concurrent removes of the older ones); removes of dots added by writers still running,
 * until those writers are folded; and `covered`, one number per writer ever folded, kept so that a late remove of
 * a dot it covers is dropped rather than kept forever. Live writers' own contributions are never compacted: they
 * grow with every operation until the writer is gone and folded.
 */

/** Replica id → ascending sequence numbers: dots, each one add by one replica. */
export type Dots = Readonly<Table<readonly number[]>>;

export interface SetState {
  /** Element → the dots of the adds that put it in. */
  readonly adds: Readonly<Table<Dots>>;
  /** The dots removed, of whichever element. */
  readonly removes: Dots;
  /**
   * Replica id → n: each dot of the replica up to n is in `adds` or was dropped by compact together with its
   * removal. Written only by compact (a base); empty in contributions.
   */
  readonly covered: Readonly<Table<number>>;
}

/** The merged view's members, in code-unit order. */
export type SetValue = readonly string[];

/** Two ascending lists as one, without repeats. */
function unionSeqs(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x < y)) {
      out.push(x as number);
      i++;
    } else {
      if (x === y) i++;
      out.push(y);
      j++;
    }
  }
  return out;
}

function unionDots(a: Dots | undefined, b: Dots | undefined): Dots {
  const x = a ?? emptyTable<readonly number[]>();
  const y = b ?? emptyTable<readonly number[]>();
  return tableOf(keysOf(x, y).map((replica) => [replica, unionSeqs(lookup(x, replica) ?? [], lookup(y, replica) ?? [])]));
}

function dotSet(dots: Dots): Map<string, Set<number>> {
  return new Map(Object.entries(dots).map(([replica, seqs]) => [replica, new Set(seqs)]));
}

/** `dots` without those in `removed`, replicas left with none omitted. */
function withoutRemoved(dots: Dots, removed: Map<string, Set<number>>): Dots {
  return tableOf(Object.entries(dots)
    .map(([replica, seqs]): [string, number[]] => [replica, seqs.filter((seq) => !removed.get(replica)?.has(seq))])
    .filter(([, seqs]) => seqs.length > 0));
}

/** The highest sequence number `replica` has used that this state knows of (0 if none). */
function lastSeq(state: SetState, replica: string): number {
  let last = lookup(state.covered, replica) ?? 0;
  for (const dots of [...Object.values(state.adds), state.removes]) last = Math.max(last, (lookup(dots, replica) ?? []).at(-1) ?? 0);
  return last;
}

/**
 * The writer's next state: `element` added with a new dot of `replica`. `own` must hold all of the replica's
 * earlier adds (it is the replica's own contribution), or a sequence number would be used twice.
 */
export function addTo(own: SetState, replica: string, element: string): SetState {
  checkName(replica, 'set replica id', false);
  checkName(element, 'set element', true);
  const seq = lastSeq(own, replica) + 1;
  if (seq > Number.MAX_SAFE_INTEGER) throw new RangeError(`set replica ${quote(replica)} has used up its sequence numbers`);
  const adds = withEntry(own.adds, element, unionDots(lookup(own.adds, element), tableOf([[replica, [seq]]])));
  return { adds, removes: own.removes, covered: own.covered };
}

/**
 * The writer's next state: `element` removed as it is seen in `merged` (the base and every contribution merged, own
 * included), that is, the dots of it not yet removed there. Adds it has not seen are not removed: they win.
 */
export function removeFrom(own: SetState, merged: SetState, element: string): SetState {
  checkName(element, 'set element', true);
  const seen = unionDots(lookup(merged.adds, element), lookup(own.adds, element));
  const removing = withoutRemoved(seen, dotSet(unionDots(merged.removes, own.removes)));
  if (Object.keys(removing).length === 0) return own;
  return { adds: own.adds, removes: unionDots(own.removes, removing), covered: own.covered };
}

function merge(a: SetState, b: SetState): SetState {
  return {
    adds: tableOf(keysOf(a.adds, b.adds).map((element) => [element, unionDots(lookup(a.adds, element), lookup(b.adds, element))])),
    removes: unionDots(a.removes, b.removes),
    covered: tableOf(keysOf(a.covered, b.covered).map((replica) => [replica, Math.max(lookup(a.covered, replica) ?? 0, lookup(b.covered, replica) ?? 0)])),
  };
}

function value(state: SetState): SetValue {
  const removed = dotSet(state.removes);
  return keysOf(state.adds).filter((element) => Object.keys(withoutRemoved(state.adds[element] ?? emptyTable(), removed)).length > 0);
}

function compact(state: SetState): SetState {
  // A replica's adds in a base are all of its adds (folded writers are gone), so its highest dot here covers all
  // of its lower ones: each is here, or was removed and dropped by an earlier compact.
  const covered = new Map(Object.entries(state.covered));
  for (const dots of Object.values(state.adds)) {
    for (const [replica, seqs] of Object.entries(dots)) covered.set(replica, Math.max(covered.get(replica) ?? 0, seqs.at(-1) ?? 0));
  }
  const removed = dotSet(state.removes);
  const adds = tableOf(Object.entries(state.adds)
    .map(([element, dots]): [string, Dots] => [element, withoutRemoved(dots, removed)])
    .filter(([, dots]) => Object.keys(dots).length > 0));
  // A remove above the covered part is of a dot whose add is not here: a running writer's, still to be merged.
  const removes = tableOf(Object.entries(state.removes)
    .map(([replica, seqs]): [string, number[]] => [replica, seqs.filter((seq) => seq > (covered.get(replica) ?? 0))])
    .filter(([, seqs]) => seqs.length > 0));
  return { adds, removes, covered: tableOf(covered) };
}

function parseDots(data: unknown, what: string): Dots {
  return tableOf(plainEntries(data, what).map(([replica, seqsData]): [string, number[]] => {
    const at = `${what}[${quote(checkName(replica, `${what}: a replica id`, false))}]`;
    const seqs = plainArray(seqsData, at).map((seq, i) => checkCount(seq, `${at}[${i}]`));
    if (seqs.length === 0) throw new TypeError(`${at} is empty; a replica without dots is left out`);
    seqs.forEach((seq, i) => {
      if (seq < 1) throw new TypeError(`${at}[${i}] is 0; sequence numbers start at 1`);
      if (i > 0 && seq <= (seqs[i - 1] ?? 0)) throw new TypeError(`${at} is not strictly ascending`);
    });
    return [replica, seqs];
  }));
}

function parse(data: unknown): SetState {
  const state = fields(data, 'set state', ['adds', 'removes', 'covered']);
  const adds = tableOf(plainEntries(state.adds, 'set state.adds').map(([element, dotsData]): [string, Dots] => {
    const what = `set state.adds[${quote(checkName(element, 'set element', true))}]`;
    const dots = parseDots(dotsData, what);
    if (Object.keys(dots).length === 0) throw new TypeError(`${what} has no dots; an element never added is left out`);
    return [element, dots];
  }));
  const covered = tableOf(plainEntries(state.covered, 'set state.covered').map(([replica, n]): [string, number] => {
    const what = `set state.covered[${quote(checkName(replica, 'set state.covered: a replica id', false))}]`;
    const count = checkCount(n, what);
    if (count < 1) throw new TypeError(`${what} is 0; a replica with nothing covered is left out`);
    return [replica, count];
  }));
  return { adds, removes: parseDots(state.removes, 'set state.removes'), covered };
}

export const setType: ConvergentType<SetState, SetValue> = {
  name: 'set',
  empty: () => ({ adds: emptyTable(), removes: emptyTable(), covered: emptyTable() }),
  merge,
  value,
  parse,
  compact,
};
