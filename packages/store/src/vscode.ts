/**
 * The store in a VS Code extension, in one call (`@breath-master/store/vscode`; the main entry point never loads
 * `vscode`). `openStore(context)` opens it on the extension's global storage folder — one for all of the user's
 * windows —, looks again when the window regains focus (a backstop for a file event that was missed: the only time
 * an idle window reads anything), sends the store's diagnostics to a LogOutputChannel if given, and closes it with
 * the extension. VS Code does not wait for disposables, so `deactivate` must return the wait for queued updates:
 *
 *     export function activate(context) { const store = openStore(context, { log: channel }); … }
 *     export { deactivate } from '@breath-master/store/vscode';   // or: return closeStores() from yours
 */
import * as vscode from 'vscode';
import { StorageWrapper } from './storageWrapper';
import type { StorageWrapperOptions } from './types';

export interface OpenStoreOptions extends Omit<StorageWrapperOptions, 'log'> {
  /** Where the store's diagnostics go: a LogOutputChannel (`window.createOutputChannel(name, { log: true })`). */
  log?: Pick<vscode.LogOutputChannel, 'debug' | 'info' | 'warn' | 'error'>;
}

/** The part of `vscode.ExtensionContext` used: where the store lives, and where its clean-up goes. */
export interface ExtensionContextLike {
  readonly globalStorageUri: { readonly fsPath: string };
  readonly subscriptions: { dispose(): unknown }[];
}

/** Stores opened here and not yet closed: `closeStores` waits for each. */
const opened = new Set<StorageWrapper>();

/** Opens the store on `context.globalStorageUri`; it is refreshed on focus and closed with the extension. */
export function openStore(context: ExtensionContextLike, options: OpenStoreOptions = {}): StorageWrapper {
  const { log, ...rest } = options;
  const store = new StorageWrapper({ globalStorageUri: context.globalStorageUri }, log ? { ...rest, log: (level, message) => log[level](message) } : rest);
  opened.add(store);
  context.subscriptions.push(
    vscode.window.onDidChangeWindowState((state) => {
      if (state.focused) void store.refresh();
    }),
    { dispose: () => void close(store) },
  );
  return store;
}

function close(store: StorageWrapper): Promise<void> {
  opened.delete(store);
  return store.dispose();
}

/** Closes every store opened with `openStore`, resolving once their queued updates are committed and durable. */
export function closeStores(): Promise<void> {
  return Promise.all([...opened].map(close)).then(() => undefined);
}

/** `export { deactivate } from '@breath-master/store/vscode'`: VS Code waits for it before the extension host goes. */
export const deactivate = closeStores;
