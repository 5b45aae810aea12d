import * as path from 'node:path';
import { Emitter as StoreEmitter } from '@breath-master/store';
import type { VscodeApi } from '../../../src/vscode/webviews';

// A small local fake of the part of the API the webviews use (the shared fake-vscode belongs to the VS Code layer).

/** The project's emitter, except that a listener's error reaches the test that fired (and fails it). */
export class Emitter<T> extends StoreEmitter<T> {
  constructor() {
    super((error) => {
      throw error;
    });
  }
}

export interface FakeUri { readonly path: string; toString(): string }
export const uri = (p: string): FakeUri => ({ path: p, toString: () => `file://${p}` });

type WebviewOptions = { localResourceRoots?: FakeUri[]; enableScripts?: boolean };

export class FakeWebview {
  htmlSets = 0;
  private value = '';
  /** What the extension set on the webview itself (a restored panel gets its options this way). */
  options: WebviewOptions | undefined;
  readonly posted: Record<string, unknown>[] = [];
  readonly cspSource = 'https://fake.vscode-cdn.net';
  /** Messages from the page: fire one to play the webview's script. */
  readonly fromPage = new Emitter<unknown>();
  readonly onDidReceiveMessage = this.fromPage.event;
  get html(): string { return this.value; }
  set html(v: string) { this.htmlSets++; this.value = v; }
  async postMessage(m: Record<string, unknown>): Promise<boolean> { this.posted.push(m); return true; }
  asWebviewUri(u: FakeUri): FakeUri { return { path: u.path, toString: () => `https://fake.vscode-cdn.net${u.path}` }; }
}

export class FakePanel {
  readonly webview = new FakeWebview();
  revealed = 0;
  disposed = false;
  iconPath: unknown;
  private readonly disposing = new Emitter<void>();
  readonly onDidDispose = this.disposing.event;
  /** `options`: what `createWebviewPanel` was given (none for a panel VS Code restores). */
  constructor(readonly viewType: string, readonly options: WebviewOptions = {}) {}
  reveal(): void { this.revealed++; }
  dispose(): void { this.disposed = true; this.disposing.fire(); }
}

export class FakeView {
  readonly webview = new FakeWebview();
  visible = true;
  readonly visibility = new Emitter<void>();
  readonly onDidChangeVisibility = this.visibility.event;
  readonly onDidDispose = new Emitter<void>().event;
}

export interface Serializer { deserializeWebviewPanel(panel: FakePanel, state: unknown): Promise<void> }

/** The fake API with `settings` (full keys); `serializers: false` is a host without `registerWebviewPanelSerializer`. */
export function fakeApi(settings: Record<string, unknown> = {}, { serializers: withSerializers = true } = {}) {
  const panels: FakePanel[] = [];
  const providers = new Map<string, { resolveWebviewView(v: FakeView): void }>();
  const serializers = new Map<string, Serializer>();
  const commands = new Map<string, () => unknown>();
  const executed: string[] = [];
  const config = new Emitter<{ affectsConfiguration(s: string): boolean }>();
  const window: Record<string, unknown> = {
    createWebviewPanel: (viewType: string, _title: string, _col: unknown, options: WebviewOptions) => {
      const p = new FakePanel(viewType, options);
      panels.push(p);
      return p;
    },
    registerWebviewViewProvider: (id: string, provider: { resolveWebviewView(v: FakeView): void }) => {
      providers.set(id, provider);
      return { dispose: () => providers.delete(id) };
    },
  };
  if (withSerializers) {
    window.registerWebviewPanelSerializer = (viewType: string, s: Serializer) => {
      serializers.set(viewType, s);
      return { dispose: () => serializers.delete(viewType) };
    };
  }
  const api = {
    window,
    commands: {
      registerCommand: (id: string, run: () => unknown) => {
        commands.set(id, run);
        return { dispose: () => commands.delete(id) };
      },
      executeCommand: async (id: string) => { executed.push(id); },
    },
    workspace: {
      getConfiguration: (section: string) => ({ get: (key: string) => settings[`${section}.${key}`] }),
      onDidChangeConfiguration: config.event,
    },
    Uri: { joinPath: (base: FakeUri, ...segments: string[]) => uri(path.posix.join(base.path, ...segments)) },
    ViewColumn: { Active: -1 },
    env: { language: 'en' },
  };
  const changeSetting = (key: string, value: unknown) => {
    settings[key] = value;
    config.fire({ affectsConfiguration: (s: string) => key === s || key.startsWith(`${s}.`) });
  };
  return { api: api as unknown as VscodeApi, panels, providers, serializers, commands, executed, changeSetting };
}
