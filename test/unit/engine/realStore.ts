// Real stores (packages/store, real files in a temp folder) for engine tests, closed and removed after each test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageWrapper } from '@breath-master/store';
import { afterEach } from 'vitest';
import { MeditationTracker, PATTERNS } from '../../../src/engine';
import type { FakeClock } from './fakeStore';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** Runs `close` after the test (in reverse order of registration). */
export function afterTest(close: () => Promise<void> | void): void {
  cleanup.push(close);
}

export function folder(prefix = 'bm-engine-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function openStore(dir: string, clientId: string): StorageWrapper {
  const store = new StorageWrapper({ globalStoragePath: dir }, { clientId });
  cleanup.push(() => store.dispose());
  return store;
}

export function openTracker(store: StorageWrapper, clock: FakeClock): MeditationTracker {
  const t = new MeditationTracker(store, { clock, pattern: PATTERNS.chill });
  cleanup.push(() => t.dispose());
  return t;
}
