/**
 * Progress across machines through Settings Sync, in real VS Code: two code-servers, each with its own user-data
 * folder (its own global storage folder = its own store) and its own browser profile (its own `globalState`), stand
 * for two machines. Each meditates once; the test then carries the `breathMaster.syncedProgress` value from one
 * machine's `globalState` to the other's while that one is shut down — what Settings Sync does before a window
 * starts — and the other shows the combined XP and both machines' sessions in its history view. Then back again.
 *
 * Where `globalState` is in code-server: the workbench runs in the browser, so it is the browser profile's
 * IndexedDB, database `vscode-web-state-db-global`, object store `ItemTable`, one row per extension whose key is the
 * extension id and whose value is the JSON text of all its keys (the server's User/globalStorage/state.vscdb is not
 * it). The workbench reads it when a window loads and writes it back shortly after a change, so the test reads a
 * machine's row from an open window once it holds what the test waits for, and writes a row only while no window of
 * that machine is open (from a page on the server's origin that is not the workbench: /healthz).
 */
import type { BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { breathMasterVsix, removeFixtureDirs } from './fixtures';
import { recordFigures } from './figures';
import { e2eVersion, EXTENSION_ID, pickItem, PROGRESS_ITEM, runCommand, shortMinute, statusText, VsCode, waitForItem, waitForStatus, xpOf } from './harness';
import { newestOnly, testLabel } from './suite';

const SETTINGS = {
  'breathMaster.progress.tracking': 'on',
  'breathMaster.gamification.enabled': true,
  // A 2-second breathing cycle, so a short session earns some XP (1 per completed cycle).
  'breathMaster.breathing.pattern': 'custom',
  'breathMaster.breathing.customPattern': '1-0-1-0',
};
const SYNCED_KEY = 'breathMaster.syncedProgress';
const STATE_DB = 'vscode-web-state-db-global';
const STATE_STORE = 'ItemTable';
/** A goal "minute" of 5 s: the session reaches its goal (and earns its end bonus) quickly. */
const MINUTE_MS = 5_000;
const TIMER = /(\d+):(\d\d)(?!:)/;

/** What a machine's part of the synced value says (engine/syncedProgress.ts), as far as this test reads it. */
interface Part {
  xp: number;
  totals: { sessions: number };
  recent: { id: string }[];
}
interface Synced {
  machines: Record<string, Part>;
}

let vsix = '';
const machines: VsCode[] = [];
beforeAll(() => {
  vsix = breathMasterVsix();
});
afterEach(async ({ task }) => {
  const failed = task.result?.state === 'fail';
  for (const [i, m] of machines.splice(0).entries()) await m.close(failed, `${testLabel(task)} (machine ${'AB'[i]})`);
});
afterAll(removeFixtureDirs);

/** One machine: its own server (user-data folder), its own browser (globalState). */
async function machine(): Promise<VsCode> {
  const vscode = await VsCode.create({ vsix: [vsix], settings: SETTINGS, env: shortMinute(MINUTE_MS) });
  machines.push(vscode);
  return vscode;
}

/** Starts the machine's server, opens one window and waits until Breath Master shows its progress there. */
async function openMachine(vscode: VsCode): Promise<Page> {
  await vscode.start();
  return openWindow(vscode);
}

/** One window on the machine's running server; waits until Breath Master shows its progress there. */
async function openWindow(vscode: VsCode): Promise<Page> {
  const [w] = await vscode.openWindows(1);
  if (!w) throw new Error('a window expected');
  await waitForItem(w, PROGRESS_ITEM);
  await waitForStatus(w, PROGRESS_ITEM, (t) => xpOf(t) !== undefined, 60_000);
  return w;
}

function secondsOf(text: string): number | undefined {
  const m = TIMER.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/**
 * A session with a "1 minute" goal (5 s here), run for `seconds` (past its goal) and ended; returns the XP shown
 * after it. The machines meditate for different times, so their XP and their history rows differ.
 */
async function meditate(w: Page, seconds: number): Promise<number> {
  await runCommand(w, 'Breath Master: Start Session');
  await pickItem(w, '1 minute');
  await waitForStatus(w, PROGRESS_ITEM, (t) => (secondsOf(t) ?? 0) >= seconds, 60_000);
  await runCommand(w, 'Breath Master: End Session');
  await waitForStatus(w, PROGRESS_ITEM, (t) => !TIMER.test(t), 10_000);
  await w.waitForTimeout(1000); // the end's commits settle
  const xp = xpOf(await statusText(w, PROGRESS_ITEM));
  if (xp === undefined) throw new Error('no XP shown after the session');
  return xp;
}

/** The webview frame holding the element `id` (the history view's page); waits for it to load. */
async function webviewFrame(page: Page, id: string, timeoutMs = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const f of page.frames()) {
      if (f === page.mainFrame()) continue;
      const found = await f.evaluate((i) => !!(globalThis as unknown as { document: { getElementById(id: string): unknown } }).document.getElementById(i), id).catch(() => false);
      if (found) return f;
    }
    if (Date.now() > deadline) throw new Error(`no webview with #${id} in the window`);
    await page.waitForTimeout(250);
  }
}

/** Opens the history view and waits until its Recent sessions table has `n` rows; returns each row's text. */
async function historyRows(w: Page, n: number, timeoutMs = 30_000): Promise<string[]> {
  await runCommand(w, 'Breath Master: Show History');
  const view = await webviewFrame(w, 'recent-rows');
  const read = () =>
    view.evaluate(() => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> } }).document;
      return Array.from(doc.querySelectorAll('#recent-rows tr')).map((r) => (r.textContent ?? '').replace(/\s+/g, ' ').trim());
    });
  const deadline = Date.now() + timeoutMs;
  let rows = await read();
  while (rows.length !== n && Date.now() < deadline) {
    await w.waitForTimeout(250);
    rows = await read();
  }
  return rows;
}

type Idb = {
  indexedDB: { open(name: string): IdbRequest<IdbDatabase> & { onupgradeneeded: (() => void) | null; transaction: { abort(): void } | null } };
};
type IdbRequest<T> = { result: T; error: unknown; onsuccess: (() => void) | null; onerror: (() => void) | null };
type IdbDatabase = {
  objectStoreNames: { contains(name: string): boolean };
  transaction(store: string, mode: 'readonly' | 'readwrite'): IdbTransaction;
  close(): void;
};
type IdbTransaction = {
  objectStore(name: string): { get(key: string): IdbRequest<unknown>; put(value: unknown, key: string): IdbRequest<unknown> };
  oncomplete: (() => void) | null;
  onerror: (() => void) | null;
  error: unknown;
};

/**
 * Breath Master's `globalState` row of the page's origin (all its keys), read from the browser's IndexedDB; undefined
 * when there is none. Never creates the database.
 */
async function readGlobalState(page: Page): Promise<Record<string, unknown> | undefined> {
  const text = await page.evaluate(
    ([db, store, key]) =>
      new Promise<string | null>((resolve, reject) => {
        const open = (globalThis as unknown as Idb).indexedDB.open(db);
        open.onupgradeneeded = () => open.transaction?.abort(); // no such database: leave it so
        open.onerror = () => reject(new Error(`open ${db}: ${String(open.error)}`));
        open.onsuccess = () => {
          const d = open.result;
          if (!d.objectStoreNames.contains(store)) {
            d.close();
            resolve(null);
            return;
          }
          const get = d.transaction(store, 'readonly').objectStore(store).get(key);
          get.onerror = () => reject(new Error(`get ${key}: ${String(get.error)}`));
          get.onsuccess = () => {
            d.close();
            resolve(typeof get.result === 'string' ? get.result : null);
          };
        };
      }),
    [STATE_DB, STATE_STORE, EXTENSION_ID] as const,
  );
  return text === null ? undefined : (JSON.parse(text) as Record<string, unknown>);
}

/** Sets one key of Breath Master's `globalState` row in the page's origin (the other keys stay). */
async function writeGlobalStateKey(page: Page, name: string, value: unknown): Promise<void> {
  await page.evaluate(
    ([db, store, key, field, json]) =>
      new Promise<void>((resolve, reject) => {
        const open = (globalThis as unknown as Idb).indexedDB.open(db);
        open.onupgradeneeded = () => open.transaction?.abort();
        open.onerror = () => reject(new Error(`open ${db}: ${String(open.error)}`));
        open.onsuccess = () => {
          const d = open.result;
          if (!d.objectStoreNames.contains(store)) {
            d.close();
            reject(new Error(`${db} has no ${store}`));
            return;
          }
          const tx = d.transaction(store, 'readwrite');
          const table = tx.objectStore(store);
          const get = table.get(key);
          get.onsuccess = () => {
            const row = typeof get.result === 'string' ? (JSON.parse(get.result) as Record<string, unknown>) : {};
            row[field] = JSON.parse(json) as unknown;
            table.put(JSON.stringify(row), key);
          };
          tx.oncomplete = () => {
            d.close();
            resolve();
          };
          tx.onerror = () => reject(new Error(`write ${key}: ${String(tx.error)}`));
        };
      }),
    [STATE_DB, STATE_STORE, EXTENSION_ID, name, JSON.stringify(value)] as const,
  );
}

/** Waits until the synced value in the window's `globalState` (as stored) satisfies `ok`; returns it. */
async function waitForSynced(w: Page, ok: (s: Synced) => boolean, timeoutMs: number): Promise<Synced> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    last = (await readGlobalState(w))?.[SYNCED_KEY];
    if (last && typeof last === 'object' && ok(last as Synced)) return last as Synced;
    if (Date.now() > deadline) {
      const databases = await w.evaluate(async () => (await (globalThis as unknown as { indexedDB: { databases(): Promise<{ name?: string }[]> } }).indexedDB.databases()).map((d) => d.name));
      throw new Error(`the synced progress in globalState never satisfied the condition; last: ${JSON.stringify(last)}; databases: ${JSON.stringify(databases)}`);
    }
    await w.waitForTimeout(500);
  }
}

/**
 * Settings Sync bringing a value to a machine that is shut down: the machine's server is started, the value written
 * into its browser's `globalState` from a page that is not a window (no workbench holds the storage), then a window
 * opens — the workbench reads it at load, as it would read what Settings Sync stored.
 */
async function arriveAndOpen(vscode: VsCode, context: BrowserContext, value: Synced): Promise<Page> {
  await vscode.start();
  const origin = originOf.get(vscode);
  if (!origin) throw new Error('the machine was never opened');
  const page = await context.newPage();
  try {
    await page.goto(`${origin}/healthz`, { timeout: 30_000 });
    await writeGlobalStateKey(page, SYNCED_KEY, value);
    const written = (await readGlobalState(page))?.[SYNCED_KEY];
    if (JSON.stringify(written) !== JSON.stringify(value)) throw new Error('the carried value did not land in globalState');
  } finally {
    await page.close();
  }
  return openWindow(vscode);
}

const originOf = new Map<VsCode, string>();

function remember(vscode: VsCode, w: Page): BrowserContext {
  originOf.set(vscode, new URL(w.url()).origin);
  return w.context();
}

function partsOf(s: Synced): Part[] {
  return Object.values(s.machines);
}

newestOnly('two machines through Settings Sync: each shows the XP of both and both sessions in its history', async () => {
  const started = Date.now();
  const times: Record<string, number> = {};
  const lap = (name: string) => (times[name] = Math.round((Date.now() - started) / 100) / 10);

  // Machine A meditates once and publishes its part into its globalState.
  const A = await machine();
  let a = await openMachine(A);
  const contextA = remember(A, a);
  const xpA = await meditate(a, 7);
  const rowsA = await historyRows(a, 1);
  // A publishes a change of its progress at most once a minute (settingsSync.ts): up to a minute after start-up.
  const fromA = await waitForSynced(a, (s) => partsOf(s).some((p) => p.xp === xpA && p.totals.sessions === 1), 120_000);
  lap('aPublished');
  await A.stopServer();

  // Machine B meditates too (its own store, its own globalState), then shuts down.
  const B = await machine();
  let b = await openMachine(B);
  const contextB = remember(B, b);
  const xpB = await meditate(b, 13);
  const rowsB = await historyRows(b, 1);
  const ownB = (await readGlobalState(b))?.[SYNCED_KEY] as Synced | undefined;
  lap('bMeditated');
  await B.stopServer();

  // Settings Sync brings A's value to B ("remote wins": it replaces B's value whole); B starts.
  b = await arriveAndOpen(B, contextB, fromA);
  const combinedB = await waitForStatus(b, PROGRESS_ITEM, (t) => xpOf(t) === xpA + xpB, 60_000).catch(async () => statusText(b, PROGRESS_ITEM));
  lap('bCombined');
  const historyB = await historyRows(b, 2);
  // B writes back what it knows more: both parts, for Settings Sync to carry to A.
  const fromB = await waitForSynced(b, (s) => partsOf(s).length === 2, 60_000);
  await b.waitForTimeout(2000); // nothing more to write: the status bar stays as it is
  const settledB = await statusText(b, PROGRESS_ITEM);
  await B.stopServer();

  // Settings Sync brings B's value to A; A starts.
  a = await arriveAndOpen(A, contextA, fromB);
  const combinedA = await waitForStatus(a, PROGRESS_ITEM, (t) => xpOf(t) === xpA + xpB, 60_000).catch(async () => statusText(a, PROGRESS_ITEM));
  lap('aCombined');
  const historyA = await historyRows(a, 2);
  await a.waitForTimeout(2000);
  const settledA = await statusText(a, PROGRESS_ITEM);
  const finalA = (await readGlobalState(a))?.[SYNCED_KEY] as Synced | undefined;

  recordFigures(`machines-settings-sync-${e2eVersion()}`, {
    xpA,
    xpB,
    rowsA,
    rowsB,
    ownBParts: ownB ? partsOf(ownB).map((p) => ({ xp: p.xp, sessions: p.totals.sessions })) : null,
    carriedToB: partsOf(fromA).map((p) => ({ xp: p.xp, sessions: p.totals.sessions })),
    carriedToA: partsOf(fromB).map((p) => ({ xp: p.xp, sessions: p.totals.sessions })),
    combinedB,
    settledB,
    historyB,
    combinedA,
    settledA,
    historyA,
    finalAParts: finalA ? partsOf(finalA).map((p) => ({ xp: p.xp, sessions: p.totals.sessions })) : null,
    secondsFromStart: times,
  });

  expect(xpA).toBeGreaterThan(0);
  expect(xpB).toBeGreaterThan(0);
  // Different numbers, so a part counted twice (2·xpA or 2·xpB) cannot pass for the sum.
  expect(xpB).not.toBe(xpA);
  expect(rowsA).not.toEqual(rowsB);
  expect(rowsA).toHaveLength(1);
  expect(rowsB).toHaveLength(1);
  // What A carried holds A's part only: B's number below is a real sum of two machines.
  expect(partsOf(fromA).map((p) => p.xp)).toEqual([xpA]);
  // B: its own XP plus A's, exactly (neither part counted twice), and both sessions in its history.
  expect(xpOf(combinedB)).toBe(xpA + xpB);
  expect(xpOf(settledB)).toBe(xpA + xpB);
  expect([...historyB].sort()).toEqual([...rowsA, ...rowsB].sort());
  expect(partsOf(fromB).map((p) => p.xp).sort((x, y) => x - y)).toEqual([xpA, xpB].sort((x, y) => x - y));
  // A, back with B's value: the same combined XP and the same two sessions.
  expect(xpOf(combinedA)).toBe(xpA + xpB);
  expect(xpOf(settledA)).toBe(xpA + xpB);
  expect([...historyA].sort()).toEqual([...rowsA, ...rowsB].sort());
}, 480_000);
