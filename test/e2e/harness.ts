/**
 * Drives real VS Code (code-server) with Debian's Chromium: one sandboxed server per test, windows = pages of one
 * browser context (each page gets its own extension host; all share the server's global storage folder).
 */
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { RunningServer, Sandbox } from '../../scripts/code-server/launch.mjs' with { 'resolution-mode': 'import' };

// The launcher is an ES module shared with `npm start`; these tests compile as CommonJS, so load it dynamically.
const launcher = () => import('../../scripts/code-server/launch.mjs');

export const EXTENSION_ID = 'breath-master.breath-master';
export const PROGRESS_ITEM = `${EXTENSION_ID}.breathMaster.progress`;
export const BREATHING_ITEM = `${EXTENSION_ID}.breathMaster.breathing`;

export interface VsCodeOptions {
  settings?: Record<string, unknown>;
  vsix?: string[];
  /** code-server version (see scripts/code-server/setup.mjs); default: the one the suite runs on (`e2eVersion()`). */
  version?: string;
  /** More environment for the server and the extension hosts it starts (e.g. `shortMinute()`). */
  env?: Record<string, string>;
}

/** "A minute" of a session goal in the tests that wait for a goal (BREATH_MASTER_TEST_MINUTE_MS): 15 s. */
export const GOAL_MINUTE_MS = 15_000;

/**
 * The environment that makes a session goal's minute `ms` long in Breath Master (src/vscode/testHooks.ts): a goal of
 * "1 minute" is reached after `ms` of active time, and pays its full end bonus then. Read at activation only.
 */
export function shortMinute(ms = GOAL_MINUTE_MS): Record<string, string> {
  return { BREATH_MASTER_TEST_MINUTE_MS: String(ms) };
}

/**
 * Whether this project runs every e2e test (the newest VS Code) or only those that prove what depends on the VS Code
 * version (the oldest): vitest.e2e.config.mts sets BM_E2E_ALL_TESTS; test/e2e/README.md says which and why.
 */
export function allTestsOnThisVersion(): boolean {
  return process.env.BM_E2E_ALL_TESTS !== '0';
}

/** Where a test's VS Code start-up went (the floor of every e2e test), appended to test-results/e2e-startup.jsonl. */
export interface StartupTimes {
  /** Sandbox folders, settings, `code-server --install-extension` of each VSIX. */
  sandboxMs?: number;
  /** code-server started until it answers /healthz. */
  serverMs?: number;
  /** The windows opened until the workbench's status bar shows (and, for openTwoWindows, Breath Master in both). */
  windowsMs?: number;
}

/**
 * The code-server version this test file runs on. The suite is a matrix: vitest.e2e.config.mts runs every file once
 * per version (a project per version), each project passing its version in BM_CODE_SERVER_VERSION.
 */
export function e2eVersion(): string {
  const v = process.env.BM_CODE_SERVER_VERSION;
  if (!v) throw new Error('BM_CODE_SERVER_VERSION is not set: run the suite with --config vitest.e2e.config.mts');
  return v;
}

/** One sandboxed VS Code server plus a browser to open windows on it; close() stops every process it started. */
export class VsCode {
  private server: RunningServer | undefined;
  private browser: Browser | undefined;
  private context: BrowserContext | undefined;
  readonly windows: Page[] = [];
  /** The first start-up's times (a restart is not the floor): see `startupTimes`. */
  readonly startup: StartupTimes = {};

  private constructor(
    readonly sandbox: Sandbox,
    readonly folder: string,
    private readonly env: Record<string, string>,
  ) {}

  static async create(options: VsCodeOptions = {}): Promise<VsCode> {
    const started = Date.now();
    const { createSandbox } = await launcher();
    const sandbox = await createSandbox({ settings: options.settings ?? {}, vsix: options.vsix ?? [], version: options.version ?? e2eVersion() });
    const folder = join(sandbox.root, 'workspace');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'notes.md'), '# A workspace for the end-to-end tests\n');
    const vscode = new VsCode(sandbox, folder, options.env ?? {});
    vscode.startup.sandboxMs = Date.now() - started;
    return vscode;
  }

  /** The extension's global storage folder on the server (shared by all windows). */
  globalStorage(extensionId: string): string {
    return join(this.sandbox.userDataDir, 'User', 'globalStorage', extensionId.toLowerCase());
  }

  async start(): Promise<void> {
    // The same port on a restart keeps the browser's origin, and with it the window state kept in the browser.
    const { CHROMIUM, CHROMIUM_ARGS, startServer } = await launcher();
    const started = Date.now();
    const sandbox = { ...this.sandbox, env: { ...(this.sandbox.env ?? process.env), ...this.env } };
    const restart = !!this.server;
    this.server = await startServer(sandbox, { folder: this.folder, ...(this.server ? { port: this.server.port } : {}) });
    if (!restart) this.startup.serverMs = Date.now() - started;
    if (!this.browser) {
      this.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
      this.context = await this.browser.newContext({ viewport: { width: 1280, height: 800 } });
    }
  }

  /** Stops the server only (windows are closed first); the sandbox and the browser stay for a restart. */
  async stopServer(): Promise<void> {
    for (const page of this.windows.splice(0)) await page.close({ runBeforeUnload: false }).catch(() => undefined);
    await this.server?.stop();
  }

  async installExtension(vsix: string): Promise<void> {
    await (await launcher()).installExtension(this.sandbox, vsix);
  }

  /**
   * Opens a window on the workspace folder, waits for the workbench's status bar and turns Playwright's focus
   * emulation off in it (set before navigating it does not hold), so the window has focus only when it is brought to
   * the front — as a desktop window. Which window is focused afterwards is undefined until `focus()`.
   */
  async openWindow(): Promise<Page> {
    if (!this.context || !this.server) throw new Error('start() first');
    const page = await this.context.newPage();
    this.windows.push(page);
    // A cold workbench load on a busy 2-core machine can take far longer than Playwright's default 30 s.
    await page.goto(this.server.folderUrl, { waitUntil: 'domcontentloaded', timeout: 120_000 });
    await page.waitForSelector('.statusbar', { timeout: 90_000 });
    await realFocus(page);
    return page;
  }

  /** Opens n windows at the same time (as a user restoring a session would); then the first one has the focus. */
  async openWindows(n: number): Promise<Page[]> {
    const started = Date.now();
    const pages = await Promise.all(Array.from({ length: n }, () => this.openWindow()));
    if (pages[0]) await this.focus(pages[0]);
    this.startup.windowsMs ??= Date.now() - started;
    return pages;
  }

  /**
   * The usual start of a two-window test: opens two windows, waits until Breath Master shows in both, records their
   * toasts from then on (see `recordToasts`), and gives the first one the focus.
   */
  async openTwoWindows(): Promise<[Page, Page]> {
    const started = Date.now();
    const first = this.startup.windowsMs === undefined;
    const [a, b] = await this.openWindows(2);
    if (!a || !b) throw new Error('two windows expected');
    for (const w of [a, b]) {
      await waitForItem(w, BREATHING_ITEM);
      await recordToasts(w);
    }
    await this.focus(a);
    if (first) this.startup.windowsMs = Date.now() - started;
    return [a, b];
  }

  /**
   * Moves the focus to `page` as a user clicking another window would, and waits until the browser agrees: that
   * page's document has focus and every other open window's has not. Throws when focus does not move.
   */
  async focus(page: Page, timeoutMs = 10_000): Promise<void> {
    await page.bringToFront();
    const deadline = Date.now() + timeoutMs;
    let seen: boolean[] = [];
    for (;;) {
      seen = await Promise.all(this.windows.map((w) => hasFocus(w)));
      const ok = this.windows.every((w, i) => seen[i] === (w === page));
      if (ok) return;
      if (Date.now() > deadline) {
        throw new Error(`focus did not move to window ${this.windows.indexOf(page)}: hasFocus per window ${JSON.stringify(seen)}`);
      }
      await page.waitForTimeout(50);
    }
  }

  /** The extension's log files on the server (relative path → text). */
  extensionLogs(): [string, string][] {
    const logs = join(this.sandbox.userDataDir, 'logs');
    try {
      const files = readdirSync(logs, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('Breath Master.log'));
      return files.sort().map((f) => [f, readFileSync(join(logs, f), 'utf8')]);
    } catch {
      return [];
    }
  }

  get logFile(): string | undefined {
    return this.server?.logFile;
  }

  /**
   * `test` names the test in test-results/e2e-startup.jsonl (its start-up times).
   * `failed`: prints the extension's own log of every window (its LogOutputChannel, one file per extension host)
   * first, so that a failure on a CI machine can be read from the run's output.
   */
  async close(failed = false, test = ''): Promise<void> {
    if (failed) for (const [file, text] of this.extensionLogs()) console.log(`[e2e log] ${file}\n${text}`);
    recordStartup(test, this.sandbox.version, this.startup);
    await this.stopServer().catch(() => undefined);
    await this.browser?.close().catch(() => undefined);
    (await launcher()).removeSandbox(this.sandbox);
  }
}

/** Appends one test's start-up times to test-results/e2e-startup.jsonl (and prints them). */
function recordStartup(test: string, version: string, times: StartupTimes): void {
  if (times.serverMs === undefined) return;
  const line = { test, version, ...times, totalMs: (times.sandboxMs ?? 0) + (times.serverMs ?? 0) + (times.windowsMs ?? 0) };
  appendFileSync(join(testResultsDir(), 'e2e-startup.jsonl'), `${JSON.stringify(line)}\n`);
  process.stdout.write(`[e2e startup] ${JSON.stringify(line)}\n`);
}

/** Turns Playwright's focus emulation off in a loaded page (CDP), so `document.hasFocus()` tells the truth. */
export async function realFocus(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: false });
}

/** What the page's own document says about its focus. */
export async function hasFocus(page: Page): Promise<boolean> {
  return page.evaluate(() => (globalThis as unknown as { document: { hasFocus(): boolean } }).document.hasFocus());
}

/** F1, type the command's "Category: Title", Enter — the way a user runs a command. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await offerCommand(page, title);
  await page.keyboard.press('Enter');
}

/**
 * F1 and type the command's title, up to the moment its row is the focused one; the caller presses Enter (so two
 * windows can run a command at the same moment, while the palette still offers it in both).
 */
export async function offerCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`>${title}`);
  // Enter only once the focused row is this very command (the list filters asynchronously).
  const focused = page.locator('.quick-input-widget .monaco-list-row.focused');
  try {
    await page.waitForFunction(
      (wanted) => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document;
        const row = doc.querySelector('.quick-input-widget .monaco-list-row.focused');
        return !!row && (row.textContent ?? '').replace(/\s+/g, ' ').includes(wanted);
      },
      title,
      { timeout: 15_000 },
    );
  } catch (err) {
    const rows = await page.locator('.quick-input-widget .monaco-list-row').allInnerTexts();
    await page.screenshot({ path: join(testResultsDir(), `palette-failure-${Date.now()}.png`) }).catch(() => undefined);
    throw new Error(`command "${title}" not offered by the palette; rows: ${JSON.stringify(rows.slice(0, 5))}`, { cause: err });
  }
  await focused.waitFor({ state: 'visible' });
}

/** In an open quick pick, type `label` and Enter once the focused row is that item. */
export async function pickItem(page: Page, label: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(label);
  await page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: label }).waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/** Waits until a status bar item exists (its extension has activated in this window). */
export async function waitForItem(page: Page, itemId: string, timeoutMs = 90_000): Promise<void> {
  await page.locator(`[id="${itemId}"]`).first().waitFor({ state: 'attached', timeout: timeoutMs });
}

/** Text of a status bar item ('' when it is not shown). */
export async function statusText(page: Page, itemId: string): Promise<string> {
  const item = page.locator(`[id="${itemId}"]`);
  if ((await item.count()) === 0) return '';
  return ((await item.first().innerText()) ?? '').replace(/\s+/g, ' ').trim();
}

/** Waits until a status bar item's text satisfies `ok`, returning it; throws with the last text seen on timeout. */
export async function waitForStatus(page: Page, itemId: string, ok: (text: string) => boolean, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    last = await statusText(page, itemId);
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`status item ${itemId} never satisfied the condition; last text: "${last}"`);
    await page.waitForTimeout(50);
  }
}

export async function toastTexts(page: Page): Promise<string[]> {
  return page.locator('.notification-toast').allInnerTexts();
}

/** Total XP shown by the progress item ("… 120 XP …"), or undefined when it shows none. */
export function xpOf(text: string): number | undefined {
  const m = /(\d[\d,]*)\s*XP/.exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1].replace(/,/g, ''));
}

export function testResultsDir(): string {
  const dir = join(process.cwd(), 'test-results');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Starts recording every notification toast the window shows (a toast can hide itself before a poll sees it):
 * a MutationObserver keeps the text of each toast once it has any. Read with `seenToasts`.
 */
export async function recordToasts(page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as unknown as {
      document: { body: unknown; querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> };
      MutationObserver: new (cb: () => void) => { observe(target: unknown, options: object): void };
      __bmToasts?: string[];
    };
    if (g.__bmToasts) return;
    const seen: string[] = [];
    g.__bmToasts = seen;
    const collect = () => {
      const toasts = g.document.querySelectorAll('.notification-toast .notification-list-item-message');
      for (let i = 0; i < toasts.length; i++) {
        const text = (toasts[i]?.textContent ?? '').replace(/\s+/g, ' ').trim();
        if (text && !seen.includes(text)) seen.push(text);
      }
    };
    new g.MutationObserver(collect).observe(g.document.body, { subtree: true, childList: true, characterData: true });
    collect();
  });
}

/** Every distinct toast message the window showed since `recordToasts`. */
export async function seenToasts(page: Page): Promise<string[]> {
  return page.evaluate(() => [...((globalThis as unknown as { __bmToasts?: string[] }).__bmToasts ?? [])]);
}

/**
 * One redraw of a status bar item as the page saw it: a MutationObserver callback that touched the item. `text` is
 * what the item shows after it (codicons as `$(name)`); `changed` says whether that differs from what it showed
 * before. A callback that changes nothing visible is the workbench's own doing, not the extension's: whenever an
 * entry of the status bar comes or goes, the workbench re-applies its `first-visible-item`/`last-visible-item`
 * classes to every entry (seen: `class` records whose old and new values are the same, on every item at once).
 */
export interface Redraw {
  /** The page's clock (ms since the epoch). */
  atMs: number;
  text: string;
  changed: boolean;
}

/**
 * Records the redraws of one status bar item: MutationObserver callbacks on the status bar whose records touch the
 * element with that id (its text, attributes, or the element itself added or removed), each with its time and the
 * item's text after it. `takeRedraws` reads and clears them.
 */
export async function countRedraws(page: Page, itemId: string): Promise<void> {
  await page.evaluate((id) => {
    type N = { id?: unknown; parentNode: N | null; nodeType: number; nodeValue: string | null; classList?: ArrayLike<string>; childNodes: ArrayLike<N> };
    const g = globalThis as unknown as {
      document: { querySelector(s: string): unknown; getElementById(id: string): N | null };
      MutationObserver: new (cb: (records: { target: N; addedNodes: ArrayLike<N>; removedNodes: ArrayLike<N> }[]) => void) => {
        observe(target: unknown, options: object): void;
      };
      __bmRedraws?: Record<string, { atMs: number; text: string; changed: boolean }[]>;
    };
    // What the item shows: its text, each codicon as `$(name)` (an icon is a class, not text).
    const shown = (n: N | null): string => {
      if (!n) return '';
      if (n.nodeType === 3) return n.nodeValue ?? '';
      const icon = Array.from(n.classList ?? []).find((c) => c.startsWith('codicon-'));
      return (icon ? `$(${icon.slice('codicon-'.length)})` : '') + Array.from(n.childNodes).map(shown).join('');
    };
    const textNow = () => shown(g.document.getElementById(id)).replace(/\s+/g, ' ').trim();
    const logs = (g.__bmRedraws ??= {});
    logs[id] = [];
    let last = textNow();
    const inItem = (node: N | null) => {
      for (let n = node; n; n = n.parentNode) if (n.id === id) return true;
      return false;
    };
    new g.MutationObserver((records) => {
      if (!records.some((r) => inItem(r.target) || Array.from(r.addedNodes).some(inItem) || Array.from(r.removedNodes).some(inItem))) return;
      const text = textNow();
      (logs[id] ??= []).push({ atMs: Date.now(), text, changed: text !== last });
      last = text;
    }).observe(g.document.querySelector('.statusbar'), { subtree: true, childList: true, characterData: true, attributes: true });
  }, itemId);
}

/** The item's redraws since `countRedraws` or the last `takeRedraws`, oldest first; clears them. */
export async function takeRedraws(page: Page, itemId: string): Promise<Redraw[]> {
  return page.evaluate((id) => {
    const logs = (globalThis as unknown as { __bmRedraws?: Record<string, { atMs: number; text: string; changed: boolean }[]> }).__bmRedraws ?? {};
    const taken = logs[id] ?? [];
    logs[id] = [];
    return taken;
  }, itemId);
}

/** The text of the window and of every webview in it (webviews are frames of their own). */
export async function allFrameTexts(page: Page): Promise<string> {
  const texts = await Promise.all(
    page.frames().map((f) => f.locator('body').innerText({ timeout: 2000 }).catch(() => '')),
  );
  return texts.join('\n');
}
