// Compile-time only (checked by `tsc`, not run): the real store must satisfy the engine's narrow interface.
import type { RecordStore } from '../../../src/engine';
import type { StorageWrapper } from '@breath-master/store';

export type StorageWrapperIsRecordStore = StorageWrapper extends RecordStore ? true : never;
export const storageWrapperIsRecordStore: StorageWrapperIsRecordStore = true;
