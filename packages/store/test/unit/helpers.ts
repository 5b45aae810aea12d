import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach } from 'vitest';
import { StorageWrapper } from '../../src';
import type { StorageWrapperOptions } from '../../src';

const cleanups: Array<() => unknown> = [];

// Awaited one by one: a store's dispose() finishes its last writes (a log's or a counter's closing fold) before its
// folder is removed — not awaited, those writes made the folder again after the test.
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fresh real folder, removed after the test. */
export function tempFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bm-store-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A store on `dir` (a fresh folder by default), disposed after the test. */
export function openStore(dir = tempFolder(), options: StorageWrapperOptions = {}): StorageWrapper {
  const store = new StorageWrapper({ globalStoragePath: dir }, options);
  cleanups.push(() => store.dispose());
  return store;
}

/** Every file and folder below `dir`, as paths relative to it. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      out.push(relative(dir, path));
      if (statSync(path).isDirectory()) walk(path);
    }
  };
  walk(dir);
  return out;
}

/** The folders holding the keys' records: each key's generation folder, `records/<name>/g-<gen>` (one per key). */
export function recordFolders(dir: string): string[] {
  const folders: string[] = [];
  for (const name of readdirSync(join(dir, 'records'))) {
    for (const gen of readdirSync(join(dir, 'records', name))) if (gen.startsWith('g-')) folders.push(join(dir, 'records', name, gen));
  }
  return folders;
}

export function versionFiles(folder: string): string[] {
  return readdirSync(folder).filter((n) => /^v\d{12}\.json$/.test(n)).sort();
}

/** Resolves when `check` holds, letting the event loop (and so the change feed) run between looks; fails after `ms`. */
export async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
