import type { RecordStore } from '../engine/recordStore';

/** Drops `undefined` object properties, as JSON.stringify would; everything else is left to the store to judge. */
export function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withoutUndefined(v);
  return out;
}

/**
 * The engine's view of the store, with updater results cleaned of `undefined` properties. The store rightly
 * rejects values that are not JSON data, and an optional field set to `undefined` (e.g. a paused session's
 * `runningSince`) means "absent" in the engine: dropping it keeps pause/resume working instead of failing.
 */
export function jsonSafeStore(store: RecordStore): RecordStore {
  return {
    get clientId() {
      return store.clientId;
    },
    get: (key, defaultValue) => store.get(key, defaultValue),
    update: (key, updater, defaultValue) => store.update(key, (current) => withoutUndefined(updater(current)) as never, defaultValue),
    onDidChange: (listener, thisArgs, disposables) => store.onDidChange(listener, thisArgs, disposables),
  };
}
