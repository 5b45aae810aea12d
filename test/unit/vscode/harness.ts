import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { createExtensionContext, disposeContext, fake, type FakeExtensionContext } from './fake-vscode';
import { MeditationTracker, OnboardingManager } from '../../../src/engine';
import { StorageWrapper } from '@breath-master/store';
import { activate, deactivate, type BreathMasterApi } from '../../../src/vscode/extension';
import pkg from '../../../package.json';

export const properties = pkg.contributes.configuration.properties as Record<string, { default?: unknown }>;

/** A window of the extension on the fake `vscode`: activate it on `storageDir`, dispose it afterwards. */
export interface Window {
  context: FakeExtensionContext;
  api: BreathMasterApi;
  close(): Promise<void>;
}

export function tempStorage(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'bm-vscode-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function openWindow(storageDir: string, globalState: Record<string, unknown> = {}): Promise<Window> {
  const context = createExtensionContext(storageDir, globalState);
  // Cast: the fake implements the part of ExtensionContext the extension uses.
  const api = await activate(context as never);
  await api.ready;
  return {
    context, api,
    close: async () => {
      await deactivate();
      disposeContext(context);
    },
  };
}

/**
 * For the calling `describe`: each test gets a fresh fake `vscode` and storage folder; `open` activates a window on
 * it, `otherWindow` gives another extension host's store and engine on the same folder; all are closed after it.
 */
export function windowsOnOneFolder() {
  let storage: ReturnType<typeof tempStorage> | undefined;
  const windows: Window[] = [];
  const others: { dispose(): unknown }[] = [];
  beforeEach(() => {
    resetFake();
    storage = tempStorage();
  });
  afterEach(async () => {
    for (const w of windows.splice(0)) await w.close();
    for (const o of others.splice(0)) await o.dispose();
    fake.dismissPendingMessages();
    storage?.cleanup();
  });
  const dir = (): string => {
    if (storage === undefined) throw new Error('windowsOnOneFolder() is used inside a test');
    return storage.dir;
  };
  return {
    dir,
    /** The windows opened by `open`, oldest first (a test may close one early by popping it). */
    windows,
    async open(globalState: Record<string, unknown> = {}, at = dir()): Promise<Window> {
      const w = await openWindow(at, globalState);
      windows.push(w);
      return w;
    },
    /** Another window's store and engine on the same folder (a second extension host). */
    otherWindow() {
      const store = new StorageWrapper({ globalStoragePath: dir() });
      const tracker = new MeditationTracker(store);
      const onboarding = new OnboardingManager(store);
      others.push(tracker, onboarding, store);
      return { store, tracker, onboarding };
    },
  };
}

/** Polls `check` until it returns true (for asynchronous effects like the change feed); fails after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function resetFake(): void {
  fake.reset();
  fake.loadDefaults(properties);
}

/** The newest record file of `key` in a store folder (to damage it on purpose); searches the store's folders for its key.json. */
export function newestRecordFile(storageDir: string, key: string): string {
  const folders: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name === 'key.json') folders.push(dir);
    }
  };
  walk(join(storageDir, 'records'));
  for (const folder of folders) {
    const stored = JSON.parse(readFileSync(join(folder, 'key.json'), 'utf8')) as { key: string };
    if (stored.key !== key) continue;
    const versions = readdirSync(folder).filter((f) => /^v\d+\.json$/.test(f)).sort();
    const newest = versions[versions.length - 1];
    if (newest) return join(folder, newest);
  }
  throw new Error(`no record of ${key}`);
}

export function overwrite(file: string, text: string): void {
  writeFileSync(file, text);
}
