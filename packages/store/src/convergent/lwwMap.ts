import { assertJsonData, cloneJsonData, deepFreeze } from '../jsonData';
import { decodeStamp, encodeStamp, type Stamp } from './hlc';
import { checkName, compareText, emptyTable, fields, has, keysOf, lookup, plainEntries, quote, tableOf, type Table, withEntry } from './parsing';
import type { ConvergentType } from './type';

/**
 * A last-writer-wins map: per key, the write with the greater (stamp, writer id) wins, whichever state it arrives
 * in. A delete is a write too (a tombstone), so that it beats the older writes it deletes wherever they arrive from.
 * Stamps come from a HybridClock that has observed the stamps of the merged view, so a write wins over everything
 * its writer had seen; two writes neither writer had seen are ordered by stamp, then writer id.
 */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export type MapEntry = LiveEntry | Tombstone;

interface Written {
  /** The encoded stamp (encodeStamp): compares as a string as the stamps do. */
  readonly t: string;
  /** The writer id, breaking ties between equal stamps of different writers. */
  readonly w: string;
}

export interface LiveEntry extends Written {
  /** Deep-frozen: states share entries instead of copying them. */
  readonly v: JsonValue;
}

export interface Tombstone extends Written {
  readonly v: null;
  readonly deleted: true;
}

/** Key → its winning write. */
export type MapState = Readonly<Table<MapEntry>>;
export type MapValue = Readonly<Table<JsonValue>>;

function isTombstone(entry: MapEntry): entry is Tombstone {
  return 'deleted' in entry;
}

/**
 * Stamp, then writer id. A writer never stamps two writes alike, so equal (stamp, writer) means one write — unless
 * the data was forged or a writer id was reused; then the entries' contents decide, so that merge stays a join
 * (the same winner in any order) even so.
 */
function compareEntries(a: MapEntry, b: MapEntry): -1 | 0 | 1 {
  return compareText(a.t, b.t) || compareText(a.w, b.w) || compareText(canonicalJson(a), canonicalJson(b));
}

/** JSON with every object's keys sorted: one text per value, whatever order its keys were written in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const object = value as Table<unknown>;
    return `{${keysOf(object).map((k) => `${JSON.stringify(k)}:${canonicalJson(object[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function write(own: MapState, key: string, entry: MapEntry): MapState {
  checkName(key, 'map key', true);
  const before = lookup(own, key);
  if (before && (compareText(entry.t, before.t) || compareText(entry.w, before.w)) <= 0) {
    // Replacing a later entry would make this writer's state shrink, and its write would lose anyway.
    throw new RangeError(`map key ${quote(key)} already holds a write at or after stamp ${entry.t} of ${quote(entry.w)}; tick a clock that has observed it`);
  }
  return withEntry(own, key, entry);
}

/** The writer's next state: `key` set to `value` (JSON data, copied) at `stamp`, by `writer`. */
export function setIn(own: MapState, key: string, value: unknown, stamp: Stamp, writer: string): MapState {
  assertJsonData(value, `map value of ${typeof key === 'string' ? quote(key) : 'a key'}`);
  const v = deepFreeze(cloneJsonData(value) as JsonValue);
  return write(own, key, { v, t: encodeStamp(stamp), w: checkName(writer, 'map writer id', false) });
}

/** The writer's next state: `key` deleted at `stamp`, by `writer` (a tombstone, even for a key it never set). */
export function deleteIn(own: MapState, key: string, stamp: Stamp, writer: string): MapState {
  return write(own, key, { v: null, deleted: true, t: encodeStamp(stamp), w: checkName(writer, 'map writer id', false) });
}

/** The latest stamp in a state (null if none): what a writer's clock must observe before writing over it. */
export function latestStamp(state: MapState): Stamp | null {
  let latest: string | null = null;
  for (const entry of Object.values(state)) if (latest === null || entry.t > latest) latest = entry.t;
  return latest === null ? null : decodeStamp(latest);
}

function merge(a: MapState, b: MapState): MapState {
  const merged = emptyTable<MapEntry>();
  for (const key of keysOf(a, b)) {
    const x = lookup(a, key);
    const y = lookup(b, key);
    const winner = x && y ? (compareEntries(x, y) >= 0 ? x : y) : (x ?? y);
    if (winner) merged[key] = winner;
  }
  return merged;
}

function value(state: MapState): MapValue {
  const result = emptyTable<JsonValue>();
  for (const key of keysOf(state)) {
    const entry = state[key];
    if (entry && !isTombstone(entry)) result[key] = entry.v;
  }
  return result;
}

function parseEntry(data: unknown, what: string): MapEntry {
  const entry = fields(data, what, ['v', 't', 'w'], ['deleted']);
  const t = encodeStamp(decodeStamp(entry.t, `${what}.t`)); // decoded and encoded again: only canonical stamps pass
  const w = checkName(entry.w, `${what}.w`, false);
  if (has(entry, 'deleted')) {
    if (entry.deleted !== true) throw new TypeError(`${what}.deleted is not true; a live entry has no deleted field`);
    if (entry.v !== null) throw new TypeError(`${what} is deleted but has a value`);
    return { v: null, deleted: true, t, w };
  }
  assertJsonData(entry.v, `${what}.v`);
  return { v: deepFreeze(cloneJsonData(entry.v) as JsonValue), t, w };
}

function parse(data: unknown): MapState {
  return tableOf(plainEntries(data, 'map state').map(([key, entry]): [string, MapEntry] => {
    checkName(key, 'map key', true);
    return [key, parseEntry(entry, `map state[${quote(key)}]`)];
  }));
}

export const mapType: ConvergentType<MapState, MapValue> = {
  name: 'map',
  empty: () => emptyTable(),
  merge,
  value,
  parse,
  // Tombstones stay: a writer still running may hold an older write of the key, which a dropped tombstone would
  // bring back. So a map's state grows with every key ever written, deleted ones included.
  compact: (state) => tableOf(Object.entries(state)),
};
