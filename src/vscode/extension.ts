import type * as vscode from 'vscode';
import { BreathMaster } from './breathMaster';

let instance: BreathMaster | undefined;

/** What `activate` returns (the extension's exports): lets tests and other extensions wait for startup. */
export interface BreathMasterApi {
  readonly ready: Promise<void>;
}

/**
 * Returns at once with the breathing guide on screen and every command registered ("Call Activate"); the promise
 * settles a moment later, once the store is open and the views are registered ("Finish Activate"), so that VS Code
 * runs a command or restores a view that activated the extension only then. It never rejects.
 */
export function activate(context: vscode.ExtensionContext): Promise<BreathMasterApi> {
  const app = new BreathMaster(context);
  instance = app;
  context.subscriptions.push(app);
  const api: BreathMasterApi = { ready: app.ready };
  return app.opened.then(() => api);
}

/** VS Code calls this before disposing `context.subscriptions`: the store is still open for the lease release. */
export async function deactivate(): Promise<void> {
  const app = instance;
  instance = undefined;
  await app?.release();
}
