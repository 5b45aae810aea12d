/**
 * A small, honest stand-in for the `vscode` module (vitest aliases `vscode` to this file for unit tests).
 * It implements the part of the API Breath Master uses, records what the extension shows, and lets tests
 * answer dialogs, change settings and move window focus. `fake.reset()` between tests.
 */
import { promises as fsp } from 'node:fs';
import * as nodePath from 'node:path';

// ---------------------------------------------------------------------------------------------------------------
// Basic types

export class Disposable {
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((d) => d.dispose()));
  }
  private done = false;
  constructor(private readonly onDispose: () => unknown) {}
  dispose(): void {
    if (this.done) return;
    this.done = true;
    this.onDispose();
  }
}

export type Event<T> = (listener: (e: T) => unknown, thisArgs?: unknown, disposables?: Disposable[]) => Disposable;

export class EventEmitter<T> {
  private readonly listeners = new Set<(e: T) => unknown>();
  readonly event: Event<T> = (listener, thisArgs, disposables) => {
    const bound = (e: T) => listener.call(thisArgs, e);
    this.listeners.add(bound);
    const d = new Disposable(() => this.listeners.delete(bound));
    disposables?.push(d);
    return d;
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class Uri {
  private constructor(readonly scheme: string, readonly fsPath: string) {}
  static file(path: string): Uri {
    return new Uri('file', nodePath.resolve(path));
  }
  static parse(value: string): Uri {
    return value.startsWith('file://') ? Uri.file(value.slice('file://'.length)) : new Uri(value.split(':')[0] ?? '', value);
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri(base.scheme, nodePath.join(base.fsPath, ...segments));
  }
  get path(): string {
    return this.fsPath;
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
}

export enum StatusBarAlignment { Left = 1, Right = 2 }
export enum ConfigurationTarget { Global = 1, Workspace = 2, WorkspaceFolder = 3 }
export enum ViewColumn { Active = -1, Beside = -2, One = 1 }
export enum QuickPickItemKind { Separator = -1, Default = 0 }
export enum LogLevel { Off = 0, Trace = 1, Debug = 2, Info = 3, Warning = 4, Error = 5 }

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class MarkdownString {
  isTrusted?: boolean;
  supportThemeIcons?: boolean;
  constructor(public value = '', supportThemeIcons = false) {
    this.supportThemeIcons = supportThemeIcons;
  }
  appendMarkdown(value: string): this {
    this.value += value;
    return this;
  }
  appendText(value: string): this {
    this.value += value.replace(/[\\`*_{}[\]()#+\-.!]/g, '\\$&');
    return this;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// What the fake records

export interface FakeStatusBarItem {
  readonly id: string;
  readonly alignment: StatusBarAlignment;
  readonly priority: number | undefined;
  name: string | undefined;
  text: string;
  tooltip: string | MarkdownString | undefined;
  command: string | { command: string; title: string; arguments?: unknown[] } | undefined;
  accessibilityInformation: { label: string; role?: string } | undefined;
  backgroundColor: ThemeColor | undefined;
  color: string | ThemeColor | undefined;
  visible: boolean;
  disposed: boolean;
  /** How often the extension assigned each property or called show/hide (each one is a message to the workbench). */
  readonly sets: Record<string, number>;
  /** Every text the user could see: the text at each show, and each new text while shown. */
  readonly seen: string[];
  show(): void;
  hide(): void;
  dispose(): void;
}

export interface ShownMessage {
  severity: 'info' | 'warning' | 'error';
  message: string;
  options: { modal?: boolean; detail?: string } | undefined;
  items: string[];
}

export interface LogLine {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

type QuickPickAnswer = (items: readonly QuickPickItemLike[], options: unknown) => QuickPickItemLike | undefined;
interface QuickPickItemLike { label: string; kind?: QuickPickItemKind; description?: string; detail?: string }

class Configuration {
  /** Explicit (user-set) values, by full key. */
  readonly user = new Map<string, unknown>();
  /** Workspace values, by full key (they override user values, as in VS Code). */
  readonly workspace = new Map<string, unknown>();
  /** The defaults declared in package.json, loaded by `fake.loadDefaults`. */
  readonly defaults = new Map<string, unknown>();
  readonly onDidChange = new EventEmitter<{ affectsConfiguration(section: string): boolean }>();

  set(key: string, value: unknown): void {
    if (value === undefined) this.user.delete(key);
    else this.user.set(key, value);
    this.onDidChange.fire({ affectsConfiguration: (section) => key === section || key.startsWith(`${section}.`) });
  }
}

class FakeWebview {
  private htmlValue = '';
  /** Assignments of `html` (each one reloads the whole page in VS Code). */
  htmlSets = 0;
  options: unknown = {};
  readonly cspSource = 'fake-csp';
  readonly posted: unknown[] = [];
  readonly onDidReceiveMessageEmitter = new EventEmitter<unknown>();
  readonly onDidReceiveMessage = this.onDidReceiveMessageEmitter.event;
  get html(): string {
    return this.htmlValue;
  }
  set html(value: string) {
    this.htmlSets++;
    this.htmlValue = value;
  }
  async postMessage(message: unknown): Promise<boolean> {
    this.posted.push(message);
    return true;
  }
  asWebviewUri(uri: Uri): Uri {
    return uri;
  }
}

class FakeWebviewPanel {
  readonly onDidDisposeEmitter = new EventEmitter<void>();
  readonly onDidDispose = this.onDidDisposeEmitter.event;
  readonly onDidChangeViewStateEmitter = new EventEmitter<{ webviewPanel: FakeWebviewPanel }>();
  readonly onDidChangeViewState = this.onDidChangeViewStateEmitter.event;
  /** The user hides the panel (another tab) or shows it again. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    this.onDidChangeViewStateEmitter.fire({ webviewPanel: this });
  }
  readonly webview = new FakeWebview();
  visible = true;
  disposed = false;
  revealed = 0;
  constructor(readonly viewType: string, public title: string) {}
  reveal(): void {
    this.revealed++;
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.onDidDisposeEmitter.fire();
  }
}

class FakeState {
  statusBarItems: FakeStatusBarItem[] = [];
  messages: ShownMessage[] = [];
  logs: LogLine[] = [];
  outputChannels: string[] = [];
  commands = new Map<string, (...args: unknown[]) => unknown>();
  executed: { command: string; args: unknown[] }[] = [];
  quickPicks: { items: QuickPickItemLike[]; options: unknown }[] = [];
  webviews: FakeWebviewPanel[] = [];
  webviewViewProviders = new Map<string, unknown>();
  statusBarMessages: string[] = [];
  documents: { language: string; content: string; shown: boolean; uri?: Uri }[] = [];
  contentProviders = new Map<string, { provideTextDocumentContent(uri: Uri): string; onDidChange?: Event<Uri> }>();
  contexts = new Map<string, unknown>();
  contextSets = 0;
  activeDebugSession: unknown = undefined;
  workspaceFolders: { uri: Uri; name: string; index: number }[] | undefined = undefined;
  messageRules: { matches: (m: ShownMessage) => boolean; answer: string | undefined }[] = [];
  quickPickAnswers: QuickPickAnswer[] = [];
  saveDialogAnswers: (Uri | undefined)[] = [];
  openDialogAnswers: (Uri[] | undefined)[] = [];
  config = new Configuration();
  windowFocused = true;
  readonly onDidChangeWindowState = new EventEmitter<{ focused: boolean }>();
  /** Answers waiting for a message that has not been shown yet resolve pending promises in order. */
  pendingMessages: { message: ShownMessage; resolve: (v: string | undefined) => void }[] = [];
}

let state = new FakeState();

/** Test-side controls and observations. */
export const fake = {
  reset(): void {
    state.onDidChangeWindowState.dispose();
    state.config.onDidChange.dispose();
    state = new FakeState();
  },
  get statusBarItems(): readonly FakeStatusBarItem[] {
    return state.statusBarItems;
  },
  statusBarItem(id: string): FakeStatusBarItem | undefined {
    return state.statusBarItems.find((i) => i.id === id && !i.disposed);
  },
  get messages(): readonly ShownMessage[] {
    return state.messages;
  },
  get logs(): readonly LogLine[] {
    return state.logs;
  },
  get outputChannels(): readonly string[] {
    return state.outputChannels;
  },
  get registeredCommands(): string[] {
    return [...state.commands.keys()];
  },
  get quickPicks(): readonly { items: QuickPickItemLike[]; options: unknown }[] {
    return state.quickPicks;
  },
  get webviews(): readonly FakeWebviewPanel[] {
    return state.webviews;
  },
  /** Untitled documents opened with `workspace.openTextDocument({ content })`. */
  get documents(): readonly { language: string; content: string; shown: boolean; uri?: Uri }[] {
    return state.documents;
  },
  get executed(): readonly { command: string; args: unknown[] }[] {
    return state.executed;
  },
  /**
   * The next message whose text matches `match` (a substring or RegExp; undefined = any message) is answered with
   * `answer` (an item title, or undefined = dismissed) — whether it is already showing or appears later. Messages
   * nobody answers stay open, like a toast the user ignores.
   */
  answerMessage(answer: string | undefined, match?: string | RegExp): void {
    const rule = { matches: (m: ShownMessage) => match === undefined || (typeof match === 'string' ? m.message.includes(match) : match.test(m.message)), answer };
    const i = state.pendingMessages.findIndex((p) => rule.matches(p.message));
    if (i >= 0) {
      const [waiting] = state.pendingMessages.splice(i, 1);
      waiting?.resolve(answer);
    } else {
      state.messageRules.push(rule);
    }
  },
  /** Dismisses every message still waiting for an answer (as closing a toast does). */
  dismissPendingMessages(): void {
    for (const p of state.pendingMessages.splice(0)) p.resolve(undefined);
  },
  answerNextQuickPick(answer: QuickPickAnswer | string | undefined): void {
    state.quickPickAnswers.push(typeof answer === 'function' ? answer : (items) => items.find((i) => i.label === answer));
  },
  answerNextSaveDialog(uri: Uri | undefined): void {
    state.saveDialogAnswers.push(uri);
  },
  answerNextOpenDialog(uris: Uri[] | undefined): void {
    state.openDialogAnswers.push(uris);
  },
  /** Sets a user setting (full key, e.g. `breathMaster.breathing.enabled`) and fires onDidChangeConfiguration. */
  setSetting(key: string, value: unknown): void {
    state.config.set(key, value);
  },
  /** Sets a workspace-level value (the `.vscode/settings.json` of the open folder). */
  setWorkspaceSetting(key: string, value: unknown): void {
    if (value === undefined) state.config.workspace.delete(key);
    else state.config.workspace.set(key, value);
    state.config.onDidChange.fire({ affectsConfiguration: (section) => key === section || key.startsWith(`${section}.`) });
  },
  workspaceSetting(key: string): unknown {
    return state.config.workspace.get(key);
  },
  /** Context keys set with `setContext`, and how many `setContext` calls were made. */
  context(key: string): unknown {
    return state.contexts.get(key);
  },
  get contextSets(): number {
    return state.contextSets;
  },
  set activeDebugSession(session: unknown) {
    state.activeDebugSession = session;
  },
  set workspaceFolders(folders: string[] | undefined) {
    state.workspaceFolders = folders?.map((f, index) => ({ uri: Uri.file(f), name: nodePath.basename(f), index }));
  },
  /** The current text of a virtual document (from its registered content provider). */
  virtualDocument(uri: string): string | undefined {
    const parsed = Uri.parse(uri);
    return state.contentProviders.get(parsed.scheme)?.provideTextDocumentContent(parsed);
  },
  contentProvider(scheme: string) {
    return state.contentProviders.get(scheme);
  },
  /** Loads `contributes.configuration` defaults, so `get` without an explicit value behaves like VS Code. */
  loadDefaults(properties: Record<string, { default?: unknown }>): void {
    for (const [k, v] of Object.entries(properties)) state.config.defaults.set(k, v.default);
  },
  userSetting(key: string): unknown {
    return state.config.user.get(key);
  },
  setWindowFocused(focused: boolean): void {
    state.windowFocused = focused;
    state.onDidChangeWindowState.fire({ focused });
  },
  async executeCommand(command: string, ...args: unknown[]): Promise<unknown> {
    return commands.executeCommand(command, ...args);
  },
};

// ---------------------------------------------------------------------------------------------------------------
// window

function createStatusBarItem(id: string, alignment: StatusBarAlignment = StatusBarAlignment.Left, priority?: number): FakeStatusBarItem {
  const sets: Record<string, number> = {};
  const count = (name: string) => { sets[name] = (sets[name] ?? 0) + 1; };
  const values: Record<string, unknown> = { name: undefined, text: '', tooltip: undefined, command: undefined, accessibilityInformation: undefined, backgroundColor: undefined, color: undefined };
  const seen: string[] = [];
  const item = {
    id, alignment, priority, visible: false, disposed: false, sets, seen,
    show() { count('show'); if (!item.visible) seen.push(item.text); item.visible = true; },
    hide() { count('hide'); item.visible = false; },
    dispose() { item.disposed = true; item.visible = false; },
  } as unknown as FakeStatusBarItem;
  for (const name of Object.keys(values)) {
    Object.defineProperty(item, name, {
      enumerable: true,
      get: () => values[name],
      set: (v: unknown) => {
        count(name);
        if (name === 'text' && item.visible && v !== values[name]) seen.push(String(v));
        values[name] = v;
      },
    });
  }
  state.statusBarItems.push(item);
  return item;
}

function showMessage(severity: ShownMessage['severity'], message: string, ...rest: unknown[]): Promise<string | undefined> {
  let options: ShownMessage['options'];
  if (rest.length > 0 && typeof rest[0] === 'object' && rest[0] !== null && !('title' in rest[0])) options = rest.shift() as ShownMessage['options'];
  const items = rest.map((i) => (typeof i === 'string' ? i : (i as { title: string }).title));
  const shown: ShownMessage = { severity, message, options, items };
  state.messages.push(shown);
  const i = state.messageRules.findIndex((r) => r.matches(shown));
  if (i >= 0) {
    const [rule] = state.messageRules.splice(i, 1);
    return Promise.resolve(rule?.answer);
  }
  return new Promise((resolve) => state.pendingMessages.push({ message: shown, resolve }));
}

function log(level: LogLine['level']) {
  return (message: string | Error, ...args: unknown[]) => {
    state.logs.push({ level, message: [message instanceof Error ? message.message : message, ...args.map(String)].join(' ') });
  };
}

export const window = {
  get state(): { focused: boolean } {
    return { focused: state.windowFocused };
  },
  onDidChangeWindowState: ((...a: Parameters<Event<{ focused: boolean }>>) => state.onDidChangeWindowState.event(...a)) as Event<{ focused: boolean }>,
  createStatusBarItem,
  showInformationMessage: (message: string, ...rest: unknown[]) => showMessage('info', message, ...rest),
  showWarningMessage: (message: string, ...rest: unknown[]) => showMessage('warning', message, ...rest),
  showErrorMessage: (message: string, ...rest: unknown[]) => showMessage('error', message, ...rest),
  async showQuickPick(items: readonly QuickPickItemLike[] | Promise<readonly QuickPickItemLike[]>, options?: unknown): Promise<QuickPickItemLike | undefined> {
    const list = [...(await items)];
    state.quickPicks.push({ items: list, options });
    const answer = state.quickPickAnswers.shift();
    return answer ? answer(list, options) : undefined;
  },
  setStatusBarMessage(text: string, _hideAfter?: number): Disposable {
    state.statusBarMessages.push(text);
    return new Disposable(() => undefined);
  },
  async showSaveDialog(_options?: unknown): Promise<Uri | undefined> {
    return state.saveDialogAnswers.shift();
  },
  async showOpenDialog(_options?: unknown): Promise<Uri[] | undefined> {
    return state.openDialogAnswers.shift();
  },
  createOutputChannel(name: string, _options?: { log: true }) {
    state.outputChannels.push(name);
    return {
      name,
      logLevel: LogLevel.Info,
      trace: log('trace'), debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'),
      append() {}, appendLine(value: string) { log('info')(value); }, replace() {}, clear() {}, show() {}, hide() {}, dispose() {},
      onDidChangeLogLevel: new EventEmitter<LogLevel>().event,
    };
  },
  async showTextDocument(doc: { language: string; content: string; shown: boolean }, _options?: unknown): Promise<unknown> {
    doc.shown = true;
    return {};
  },
  createWebviewPanel(viewType: string, title: string, _column?: unknown, _options?: unknown): FakeWebviewPanel {
    const panel = new FakeWebviewPanel(viewType, title);
    state.webviews.push(panel);
    return panel;
  },
  /** The history view's provider is kept; the views' own tests resolve it with a fake webview view. */
  registerWebviewViewProvider(viewId: string, provider: unknown, _options?: unknown): Disposable {
    state.webviewViewProviders.set(viewId, provider);
    return new Disposable(() => state.webviewViewProviders.delete(viewId));
  },
};

// ---------------------------------------------------------------------------------------------------------------
// commands

export const commands = {
  registerCommand(id: string, handler: (...args: unknown[]) => unknown): Disposable {
    if (state.commands.has(id)) throw new Error(`command '${id}' already exists`);
    state.commands.set(id, handler);
    return new Disposable(() => state.commands.delete(id));
  },
  async executeCommand(id: string, ...args: unknown[]): Promise<unknown> {
    if (id === 'setContext') {
      state.contextSets++;
      state.contexts.set(String(args[0]), args[1]);
      return undefined;
    }
    state.executed.push({ command: id, args });
    const handler = state.commands.get(id);
    if (!handler) return undefined; // built-in commands (openSettings, markdown preview …) are not emulated
    return handler(...args);
  },
  async getCommands(): Promise<string[]> {
    return [...state.commands.keys()];
  },
};

// ---------------------------------------------------------------------------------------------------------------
// workspace

export const workspace = {
  async openTextDocument(options: { language?: string; content?: string } | Uri): Promise<{ language: string; content: string; shown: boolean; uri?: Uri }> {
    if (options instanceof Uri) {
      const provider = state.contentProviders.get(options.scheme);
      if (!provider) throw new Error(`no content provider for ${options.scheme}`);
      const doc = { language: options.fsPath.endsWith('.md') ? 'markdown' : 'plaintext', content: provider.provideTextDocumentContent(options), shown: false, uri: options };
      state.documents.push(doc);
      return doc;
    }
    const doc = { language: options.language ?? 'plaintext', content: options.content ?? '', shown: false };
    state.documents.push(doc);
    return doc;
  },
  registerTextDocumentContentProvider(scheme: string, provider: { provideTextDocumentContent(uri: Uri): string; onDidChange?: Event<Uri> }): Disposable {
    state.contentProviders.set(scheme, provider);
    return new Disposable(() => state.contentProviders.delete(scheme));
  },
  get workspaceFolders() {
    return state.workspaceFolders;
  },
  getConfiguration(section?: string) {
    const full = (key: string) => (section ? `${section}.${key}` : key);
    return {
      get<T>(key: string, defaultValue?: T): T | undefined {
        const k = full(key);
        if (state.config.workspace.has(k)) return state.config.workspace.get(k) as T;
        if (state.config.user.has(k)) return state.config.user.get(k) as T;
        if (state.config.defaults.has(k)) return state.config.defaults.get(k) as T;
        return defaultValue;
      },
      has(key: string): boolean {
        return state.config.user.has(full(key)) || state.config.defaults.has(full(key));
      },
      inspect<T>(key: string) {
        const k = full(key);
        return { key: k, defaultValue: state.config.defaults.get(k) as T | undefined, globalValue: state.config.user.get(k) as T | undefined, workspaceValue: state.config.workspace.get(k) as T | undefined };
      },
      async update(key: string, value: unknown, target?: ConfigurationTarget | boolean): Promise<void> {
        if (target === ConfigurationTarget.Workspace || target === ConfigurationTarget.WorkspaceFolder || target === false) fake.setWorkspaceSetting(full(key), value);
        else state.config.set(full(key), value);
      },
    };
  },
  onDidChangeConfiguration: ((...a: Parameters<Event<{ affectsConfiguration(s: string): boolean }>>) => state.config.onDidChange.event(...a)) as Event<{ affectsConfiguration(section: string): boolean }>,
  fs: {
    async readFile(uri: Uri): Promise<Uint8Array> {
      return new Uint8Array(await fsp.readFile(uri.fsPath));
    },
    async writeFile(uri: Uri, content: Uint8Array): Promise<void> {
      await fsp.mkdir(nodePath.dirname(uri.fsPath), { recursive: true });
      await fsp.writeFile(uri.fsPath, content);
    },
  },
};

export const debug = {
  get activeDebugSession(): unknown {
    return state.activeDebugSession;
  },
};

/** `vscode.l10n`: English only here, with VS Code's `{0}` / `{name}` placeholders. */
export const l10n = {
  t(message: string | { message: string; args?: unknown[] | Record<string, unknown> }, ...args: unknown[]): string {
    const text = typeof message === 'string' ? message : message.message;
    const values = typeof message === 'string' ? (args.length === 1 && typeof args[0] === 'object' && args[0] !== null && !Array.isArray(args[0]) ? args[0] as Record<string, unknown> : args) : (message.args ?? []);
    return text.replace(/\{([^}]+)\}/g, (whole, name: string) => {
      const v = Array.isArray(values) ? values[Number(name)] : (values as Record<string, unknown>)[name];
      return v === undefined ? whole : String(v);
    });
  },
  bundle: undefined,
  uri: undefined,
};

export const env = {
  appName: 'Fake Code',
  language: 'en',
  machineId: 'fake-machine',
  sessionId: 'fake-session',
};

// ---------------------------------------------------------------------------------------------------------------
// ExtensionContext

export class FakeMemento {
  private readonly values = new Map<string, unknown>();
  syncedKeys: readonly string[] | undefined;
  constructor(initial: Record<string, unknown> = {}) {
    for (const [k, v] of Object.entries(initial)) this.values.set(k, v);
  }
  get<T>(key: string, defaultValue?: T): T | undefined {
    return this.values.has(key) ? (this.values.get(key) as T) : defaultValue;
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
  }
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
  setKeysForSync(keys: readonly string[]): void {
    this.syncedKeys = keys;
  }
}

export interface FakeExtensionContext {
  subscriptions: { dispose(): unknown }[];
  globalState: FakeMemento;
  globalStorageUri: Uri;
  globalStoragePath: string;
  extensionUri: Uri;
  extensionPath: string;
  extensionMode: number;
  logUri: Uri;
}

/** A context whose global storage is `storageDir` (share one dir between two contexts = two windows). */
export function createExtensionContext(storageDir: string, globalState: Record<string, unknown> = {}): FakeExtensionContext {
  const root = nodePath.resolve(__dirname, '../../..');
  return {
    subscriptions: [],
    globalState: new FakeMemento(globalState),
    globalStorageUri: Uri.file(storageDir),
    globalStoragePath: storageDir,
    extensionUri: Uri.file(root),
    extensionPath: root,
    extensionMode: 3,
    logUri: Uri.file(nodePath.join(storageDir, '..', 'logs')),
  };
}

/** Disposes what `activate` pushed, in reverse order, as VS Code does on deactivation. */
export function disposeContext(context: FakeExtensionContext): void {
  for (const d of context.subscriptions.splice(0).reverse()) d.dispose();
}
