/**
 * The convergent types: state-based CRDTs whose states merge instead of conflicting. Pure functions over JSON data;
 * the store keeps the states in files (one contribution per writer, a base for gone writers) and merges them.
 */
export type { ConvergentType } from './type';
export { counterType, addTo as addToCounter, foldedTally, type CounterState, type Tally } from './counter';
export { maxType, offer, type MaxState } from './maxRegister';
export { setType, addTo as addToSet, removeFrom as removeFromSet, type Dots, type SetState, type SetValue } from './addWinsSet';
export { mapType, setIn, deleteIn, latestStamp, type JsonValue, type LiveEntry, type MapEntry, type MapState, type MapValue, type Tombstone } from './lwwMap';
export { HybridClock, compareStamps, decodeStamp, encodeStamp, maxLogical, type Stamp } from './hlc';
export { maxNameLength } from './parsing';
