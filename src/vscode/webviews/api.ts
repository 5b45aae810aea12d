import type * as vscode from 'vscode';

/**
 * The part of the `vscode` API the webviews use, passed in by whoever wires them (the real module in the extension,
 * a small fake in tests). Nothing here imports `vscode` at run time.
 */
export interface VscodeApi {
  // The serializer is optional only so that a test's fake may leave it out; VS Code always has it.
  readonly window: Pick<typeof vscode.window, 'createWebviewPanel' | 'registerWebviewViewProvider'> & Partial<Pick<typeof vscode.window, 'registerWebviewPanelSerializer'>>;
  readonly commands: Pick<typeof vscode.commands, 'registerCommand' | 'executeCommand'>;
  readonly workspace: Pick<typeof vscode.workspace, 'getConfiguration' | 'onDidChangeConfiguration'>;
  readonly Uri: Pick<typeof vscode.Uri, 'joinPath'>;
  readonly ViewColumn: { readonly Active: vscode.ViewColumn };
  readonly env: { readonly language: string };
  readonly l10n?: Pick<typeof vscode.l10n, 't'>;
}

/** `vscode.l10n.t` when there is one, else the message with `{0}`… filled in. */
export type Translate = (message: string, ...args: (string | number)[]) => string;

export function translator(api: VscodeApi): Translate {
  const t = api.l10n?.t;
  if (t) return (message, ...args) => t(message, ...args);
  return (message, ...args) => message.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] !== undefined ? String(args[Number(i)]) : m));
}

export interface WebviewLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}
