/** `update` lost the compare-and-set `attempts` times in a row; nothing of that update was written. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  constructor(
    readonly key: string,
    readonly attempts: number,
  ) {
    super(`Store key ${JSON.stringify(key)}: gave up after ${attempts} conflicting attempts; nothing was written`);
  }
}

/** An unreadable record, an I/O failure or use after dispose. `key` names the record when one is involved. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly key?: string;
  /** For a failed `update`: false — nothing was committed; true — committed, but a later step (durability) failed;
   *  'unknown' — it cannot be told. Never retry an update whose error says anything but false. */
  readonly applied: boolean | 'unknown';
  constructor(message: string, options?: { key?: string; cause?: unknown; applied?: boolean | 'unknown' }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.key !== undefined) this.key = options.key;
    this.applied = options?.applied ?? false;
  }
}
