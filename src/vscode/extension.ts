import type * as vscode from 'vscode';
import { BreathMaster } from './breathMaster';

let instance: BreathMaster | undefined;

/** What `activate` returns (the extension's exports): lets tests and other extensions wait for startup. */
export interface BreathMasterApi {
  readonly ready: Promise<void>;
}

export function activate(context: vscode.ExtensionContext): BreathMasterApi {
  const app = new BreathMaster(context);
  instance = app;
  context.subscriptions.push(app);
  return { ready: app.ready };
}

/** VS Code calls this before disposing `context.subscriptions`: the store is still open for the lease release. */
export async function deactivate(): Promise<void> {
  const app = instance;
  instance = undefined;
  await app?.release();
}
