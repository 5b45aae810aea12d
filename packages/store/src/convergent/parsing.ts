/**
 * Checks shared by the convergent types' `parse`. States are read from files that any process (or person) may have
 * written, so every piece is checked before it is used — descriptors before values, so that no getter ever runs —
 * and copied into objects of our own. A state that gets past these checks may be wrong (an old contribution, say)
 * but never breaks the laws of its type.
 */

/**
 * Writer ids, map keys and set elements are bounded like the store's keys (1–1024 characters there), so hostile
 * data cannot blow up a state one string at a time, and error messages stay short.
 */
export const maxNameLength = 1024;

/** A record keyed by any string: without a prototype, '__proto__' and 'constructor' are ordinary keys. */
export type Table<T> = Record<string, T>;

export function emptyTable<T>(): Table<T> {
  return Object.create(null) as Table<T>;
}

/** Builds a table from its entries, keys in one order whatever the order they came in, so equal states print alike. */
export function tableOf<T>(entries: Iterable<readonly [string, T]>): Table<T> {
  const sorted = [...entries].sort(([a], [b]) => compareText(a, b));
  const table = emptyTable<T>();
  for (const [key, value] of sorted) table[key] = value;
  return table;
}

/** Code-unit order: the same in every process and locale, unlike localeCompare. */
export function compareText(a: string, b: string): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `table` with `key` set to `value`, keys still in order. */
export function withEntry<T>(table: Readonly<Table<T>>, key: string, value: T): Table<T> {
  return tableOf([...Object.entries(table).filter(([k]) => k !== key), [key, value]]);
}

export function keysOf(...tables: Array<Readonly<Table<unknown>>>): string[] {
  const keys = new Set<string>();
  for (const table of tables) for (const key of Object.keys(table)) keys.add(key);
  return [...keys].sort(compareText);
}

export function has(table: Readonly<Table<unknown>>, key: string): boolean {
  return Object.hasOwn(table, key);
}

/** An own entry only: a state built as a plain object literal would otherwise answer '__proto__' with Object.prototype. */
export function lookup<T>(table: Readonly<Table<T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** A key quoted for a message, cut short: the key may be the huge string being refused. */
export function quote(key: string): string {
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
}

function describe(data: unknown): string {
  if (data === null) return 'null';
  if (Array.isArray(data)) return 'an array';
  if (typeof data === 'number') return String(data);
  return `a ${typeof data}`;
}

/** The own properties of a plain object (prototype Object.prototype or null, as JSON.parse makes them). */
export function plainEntries(data: unknown, what: string): Array<[string, unknown]> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new TypeError(`${what} is ${describe(data)}; expected an object`);
  }
  const proto: unknown = Object.getPrototypeOf(data);
  if (proto !== Object.prototype && proto !== null) throw new TypeError(`${what} has a prototype of its own; expected a plain object`);
  if (Object.getOwnPropertySymbols(data).length > 0) throw new TypeError(`${what} has symbol keys; expected JSON data`);
  const entries: Array<[string, unknown]> = [];
  for (const key of Object.getOwnPropertyNames(data)) {
    const descriptor = Object.getOwnPropertyDescriptor(data, key);
    if (!descriptor || !('value' in descriptor)) throw new TypeError(`${what}[${quote(key)}] is an accessor; expected JSON data`);
    if (!descriptor.enumerable) throw new TypeError(`${what}[${quote(key)}] is not enumerable; expected JSON data`);
    entries.push([key, descriptor.value]);
  }
  return entries;
}

/** An object with exactly these fields (optional ones may be missing); anything else, '__proto__' included, is refused. */
export function fields(data: unknown, what: string, required: readonly string[], optional: readonly string[] = []): Table<unknown> {
  const found = tableOf(plainEntries(data, what));
  for (const key of Object.keys(found)) {
    if (!required.includes(key) && !optional.includes(key)) throw new TypeError(`${what} has an unknown field ${quote(key)}`);
  }
  for (const key of required) {
    if (!has(found, key)) throw new TypeError(`${what} lacks the field ${quote(key)}`);
  }
  return found;
}

/** The elements of a plain array without holes, checked like an object's properties. */
export function plainArray(data: unknown, what: string): unknown[] {
  if (!Array.isArray(data)) throw new TypeError(`${what} is ${describe(data)}; expected an array`);
  if (Object.getPrototypeOf(data) !== Array.prototype) throw new TypeError(`${what} is an array subclass; expected a plain array`);
  const items: unknown[] = [];
  for (let i = 0; i < data.length; i++) {
    const descriptor = Object.getOwnPropertyDescriptor(data, i);
    if (!descriptor || !('value' in descriptor)) throw new TypeError(`${what}[${i}] is a hole or an accessor; expected JSON data`);
    items.push(descriptor.value);
  }
  return items;
}

/** A writer id, map key or set element: a string of at most maxNameLength characters (empty only where allowed). */
export function checkName(data: unknown, what: string, allowEmpty: boolean): string {
  if (typeof data !== 'string') throw new TypeError(`${what} is ${describe(data)}; expected a string`);
  if (data.length === 0 && !allowEmpty) throw new TypeError(`${what} is empty`);
  if (data.length > maxNameLength) throw new TypeError(`${what} is ${data.length} characters long; at most ${maxNameLength} are allowed`);
  return data;
}

/** A count that only grows: a non-negative safe integer, so that sums and comparisons are exact. */
export function checkCount(data: unknown, what: string): number {
  if (typeof data !== 'number' || !Number.isSafeInteger(data) || data < 0) {
    throw new TypeError(`${what} is ${describe(data)}; expected a non-negative safe integer`);
  }
  return data === 0 ? 0 : data; // -0 is a safe integer too, and would not read back as itself from JSON
}
