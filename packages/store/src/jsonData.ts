/**
 * Payloads are JSON data only, checked before anything is written: what is stored must read back equal, in every
 * window. Anything JSON would silently drop or change (undefined, NaN, Dates, Maps, holes, cycles) is a TypeError.
 */
const maxDepth = 1000;

export function assertJsonData(value: unknown, what = 'Store value'): void {
  check(value, what, new Set(), 0);
}

function check(value: unknown, path: string, ancestors: Set<object>, depth: number): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path} is ${value}; only finite numbers are JSON data`);
      return;
    case 'object':
      break;
    default:
      throw new TypeError(`${path} is a ${typeof value}; only JSON data can be stored`);
  }
  if (value === null) return;
  if (depth >= maxDepth) throw new TypeError(`${path} is nested more than ${maxDepth} levels deep`);
  if (ancestors.has(value)) throw new TypeError(`${path} refers back to itself (a cycle); only JSON data can be stored`);
  if (Object.getOwnPropertySymbols(value).length > 0) throw new TypeError(`${path} has symbol keys; only JSON data can be stored`);
  ancestors.add(value);
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) throw new TypeError(`${path} is an array subclass; only plain arrays can be stored`);
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw new TypeError(`${path}[${i}] is a hole; only JSON data can be stored`);
      check(value[i], `${path}[${i}]`, ancestors, depth + 1);
    }
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      throw new TypeError(`${path} is a ${name}; only plain objects and arrays can be stored`);
    }
    for (const k of Object.keys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, k);
      if (descriptor && !('value' in descriptor)) throw new TypeError(`${path}.${k} is an accessor; only data properties can be stored`);
      check((value as Record<string, unknown>)[k], `${path}.${k}`, ancestors, depth + 1);
    }
  }
  ancestors.delete(value);
}

/** A private copy of JSON data; JSON.parse defines `__proto__` as an own data property, so it cannot pollute. */
export function cloneJsonData<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** Cached payloads are shared by every `get`, so they are frozen once instead of cloned per call. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
