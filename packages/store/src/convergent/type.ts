/**
 * A state-based CRDT: states form a join-semilattice, so the same states merged in any order, any number of times,
 * give one result. The store keeps one state per writer (its contribution, written only by it) and a base into
 * which the contributions of writers that are gone are folded; readers merge them. Plain data in, plain data out:
 * every state is JSON data, and nothing here touches files or clocks.
 */
export interface ConvergentType<S, V> {
  /** Written into records: a record of another type is refused, not misread. */
  readonly name: 'counter' | 'max' | 'set' | 'map';
  /** The state nobody has written to. */
  empty(): S;
  /** The join: commutative, associative, idempotent. Never mutates its arguments. */
  merge(a: S, b: S): S;
  /** What readers see. */
  value(state: S): V;
  /**
   * Checks data read from a file or received from another machine and returns it as a state (own copies, no
   * prototype tricks), or throws a TypeError that says what is wrong. Hostile input never yields a state that
   * breaks the laws.
   */
  parse(data: unknown): S;
  /**
   * A state with the same value that may forget who contributed what (a counter's per-writer entries summed into
   * one), for the base that gone writers' contributions are folded into. Not a join: the store merges a compacted
   * base only with contributions it has not folded yet (its folded set guarantees that), never with itself.
   */
  compact(state: S): S;
}
