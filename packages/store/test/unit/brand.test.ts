import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStorageWrapper, StorageWrapper } from '../../src';
import { tempFolder } from './helpers';

const storeEntry = resolve(__dirname, '../../src/index.ts');

/** Two separately minified bundles of the store, as two extensions would ship it. */
async function minifiedCopies(): Promise<Array<{ StorageWrapper: typeof StorageWrapper; isStorageWrapper: typeof isStorageWrapper }>> {
  const dir = tempFolder();
  const entry = join(dir, 'entry.ts');
  writeFileSync(entry, `export { StorageWrapper, isStorageWrapper } from ${JSON.stringify(storeEntry)};\n`);
  const copies = [];
  for (const name of ['one', 'two']) {
    const outfile = join(dir, name, 'bundle.js');
    mkdirSync(join(dir, name));
    await build({ entryPoints: [entry], outfile, bundle: true, minify: true, platform: 'node', format: 'cjs', logLevel: 'silent' });
    copies.push(createRequire(outfile)(outfile) as { StorageWrapper: typeof StorageWrapper; isStorageWrapper: typeof isStorageWrapper });
  }
  const code = readFileSync(join(dir, 'one', 'bundle.js'), 'utf8');
  expect(code).not.toMatch(/class StorageWrapper/);
  return copies;
}

describe('isStorageWrapper', () => {
  it('recognises instances and rejects look-alikes', () => {
    const store = new StorageWrapper({ globalStoragePath: tempFolder() });
    expect(isStorageWrapper(store)).toBe(true);
    store.dispose();
    for (const other of [null, undefined, 1, 'StorageWrapper', {}, { constructor: { name: 'StorageWrapper' } }, { get() {}, update() {} }]) {
      expect(isStorageWrapper(other)).toBe(false);
    }
  });

  it('survives minification and works across two bundled copies of the store', async () => {
    const [one, two] = await minifiedCopies();
    if (!one || !two) throw new Error('bundles missing');
    const store = new one.StorageWrapper({ globalStoragePath: tempFolder() });
    expect(store.constructor.name).not.toBe('StorageWrapper');
    expect(one.isStorageWrapper(store)).toBe(true);
    expect(two.isStorageWrapper(store)).toBe(true);
    expect(isStorageWrapper(store)).toBe(true);
    expect(two.isStorageWrapper({})).toBe(false);
    store.dispose();
  });
});
