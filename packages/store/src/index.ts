/**
 * The cross-window store (plain Node, no `vscode`): `require('@breath-master/store')`.
 * See docs/design.md for the protocol and its guarantees.
 */
import { isStorageWrapperLike } from './brand';
import type { StorageWrapper } from './storageWrapper';

export * from './types';
export { StorageWrapper } from './storageWrapper';
export { ConflictError, StoreError } from './errors';
export { Emitter } from './emitter';
export { Counter } from './convergent/counterKey';
export { MaxRegister } from './convergent/maxRegisterKey';
export { AddWinsSet } from './convergent/addWinsSetKey';
export { LwwMap } from './convergent/lwwMapKey';
export { LogKey, type LogEntry } from './log/logKey';
export type { ConvergentKey } from './convergent/convergentKey';
export * from './convergent';
/** Throws a TypeError unless `value` is JSON data the store can hold (the check every write makes). */
export { assertJsonData } from './jsonData';

/** True for a store instance from any copy of this module, minified or not (checks a Symbol.for brand). */
export function isStorageWrapper(x: unknown): x is StorageWrapper {
  return isStorageWrapperLike(x);
}
