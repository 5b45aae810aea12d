/**
 * Recognising a store instance must survive minification (class names do not) and duplicated bundles (two
 * copies of the class are not `instanceof` each other), so instances carry a registry symbol as a brand.
 */
export const storageWrapperBrand: unique symbol = Symbol.for('breath-master.store.StorageWrapper');

export function isStorageWrapperLike(x: unknown): boolean {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[storageWrapperBrand] === true;
}
