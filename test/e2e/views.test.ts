/**
 * The breathing view, the history view and the goal alert in real VS Code, two windows on one profile: the view in
 * window A breathes in phase with window B's status bar; a session's goal is announced once, in the focused window;
 * a session ended in B shows in A's history within a second; the breathing view comes back after a reload.
 * Timestamps are the browser's `Date.now()` inside each page (one machine clock for every window and webview).
 */
import { loadavg } from 'node:os';
import type { Frame, Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { recordFigures } from './figures';
import { BREATHING_ITEM, e2eVersion, offerCommand, pickItem, PROGRESS_ITEM, runCommand, seenToasts, shortMinute, waitForItem, waitForStatus } from './harness';
import { e2eSuite, newestOnly } from './suite';

const TRACKING_ON = { 'breathMaster.progress.tracking': 'on', 'breathMaster.gamification.enabled': true };
// Six-second cycles with all four steps: a phase change every one or two seconds, so a run gives many samples.
const PATTERN = { 'breathMaster.breathing.pattern': 'custom', 'breathMaster.breathing.customPattern': '2-1-2-1' };
const GOAL_MESSAGE = /reached your goal/i;
const TIMER = /(\d+):(\d\d)(?!:)/;

type G = Record<string, unknown> & { document: Doc; MutationObserver: new (cb: () => void) => { observe(t: unknown, o: object): void } };
type Doc = { body: { dataset: Record<string, string | undefined> }; getElementById(id: string): { textContent: string | null; children: { length: number } } | null; querySelector(s: string): { textContent: string | null } | null };

const suite = e2eSuite();

/** The webview frame (the inner page of a webview) holding the element `id`; waits for it to load. */
async function webviewFrame(page: Page, id: string, timeoutMs = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const f of page.frames()) {
      if (f === page.mainFrame()) continue;
      const found = await f.evaluate((i) => !!(globalThis as unknown as G).document.getElementById(i), id).catch(() => false);
      if (found) return f;
    }
    if (Date.now() > deadline) throw new Error(`no webview with #${id} in the window (frames: ${page.frames().map((f) => f.url().slice(0, 80)).join(', ')})`);
    await page.waitForTimeout(250);
  }
}

/** Records every phase change of the breathing page (its body's data-step) with the page's clock. */
async function recordPagePhases(frame: Frame): Promise<void> {
  await frame.evaluate(() => {
    const g = globalThis as unknown as G;
    const seen: { phase: string; t: number }[] = [];
    g.__bmPhases = seen;
    const phase = (step: string | undefined) => (step === 'holdIn' || step === 'holdOut' ? 'hold' : step ?? '');
    let last = '';
    new g.MutationObserver(() => {
      const p = phase(g.document.body.dataset.step);
      if (p && p !== last) {
        last = p;
        seen.push({ phase: p, t: Date.now() });
      }
    }).observe(g.document.body, { attributes: true, attributeFilter: ['data-step'] });
  });
}

/** Records every phase change of a window's status bar breathing item (Inhale / Hold / Exhale in its text). */
async function recordStatusPhases(page: Page, itemId: string): Promise<void> {
  await page.evaluate((id) => {
    const g = globalThis as unknown as G;
    const seen: { phase: string; t: number }[] = [];
    g.__bmPhases = seen;
    let last = '';
    const read = () => {
      const text = g.document.querySelector(`[id="${id}"]`)?.textContent ?? '';
      const m = /Inhale|Hold|Exhale/.exec(text);
      const p = m ? m[0].toLowerCase() : '';
      if (p && p !== last) {
        last = p;
        seen.push({ phase: p, t: Date.now() });
      }
    };
    new g.MutationObserver(read).observe(g.document.querySelector('.statusbar'), { subtree: true, childList: true, characterData: true, attributes: true });
  }, itemId);
}

async function phases(target: Page | Frame): Promise<{ phase: string; t: number }[]> {
  return target.evaluate(() => [...(((globalThis as unknown as G).__bmPhases as { phase: string; t: number }[] | undefined) ?? [])]);
}

/** Where a phase change should fall: the cycle is counted from the epoch in every window (2-1-2-1: 0, 2, 3, 5 s). */
function lateness(t: number): number {
  const into = t % 6000;
  const boundaries = [0, 2000, 3000, 5000, 6000];
  return Math.min(...boundaries.map((b) => Math.abs(into - b)));
}

newestOnly('the breathing view in window A and the status bar in window B change phase together (median ≤ 50 ms, nine in ten ≤ 250 ms apart)', async () => {
  const [a, b] = await suite.twoWindows(PATTERN);
  await runCommand(a, 'Breath Master: Open Breathing View');
  const view = await webviewFrame(a, 'orb');
  await recordPagePhases(view);
  await recordStatusPhases(b, BREATHING_ITEM);
  await a.waitForTimeout(30_000);
  const inView = await phases(view);
  const inB = await phases(b);
  // The first entry of each is the state when recording began, not a change: leave both out.
  const changesB = inB.slice(1);
  const pairs = changesB.map((c) => {
    const match = inView.slice(1).filter((v) => v.phase === c.phase).sort((x, y) => Math.abs(x.t - c.t) - Math.abs(y.t - c.t))[0];
    return { phase: c.phase, statusB: c.t, view: match?.t, offsetMs: match ? c.t - match.t : undefined };
  });
  const offsets = pairs.map((p) => p.offsetMs).filter((o): o is number => o !== undefined);
  const abs = offsets.map(Math.abs).sort((x, y) => x - y);
  const figures = {
    pattern: '2-1-2-1',
    seconds: 30,
    phaseChanges: { view: inView.length - 1, statusB: changesB.length, paired: offsets.length },
    offsetMs: { min: Math.min(...offsets), max: Math.max(...offsets), medianAbs: abs[Math.floor(abs.length / 2)], maxAbs: abs.at(-1) },
    // How late each side is after the instant the phase changes by the clock, and the machine's load: both sides
    // are timers (the page's, B's extension host's), so a starved CPU shows here first.
    load1m: Number(loadavg()[0]?.toFixed(2)),
    latenessMs: { viewMax: Math.max(...inView.slice(1).map((v) => lateness(v.t))), statusBMax: Math.max(...changesB.map((c) => lateness(c.t))) },
    offsets,
  };
  recordFigures(`views-phase-${e2eVersion()}`, figures);
  // 30 s of a 6-second cycle of four steps: about 20 changes; both sides must have seen them all.
  expect(changesB.length).toBeGreaterThanOrEqual(16);
  expect(offsets.length).toBe(changesB.length);
  // Both sides follow one schedule (the epoch), so a real drift or a different time base moves every change: the
  // median says that. A change seen late on one side only is a starved timer on this shared 2-core machine (the
  // lateness above shows it; 2 of 19 were 117 and 139 ms late once, at load 3.5): nine in ten within a quarter of the
  // shortest phase (1 s) still says "in step".
  const within = abs.filter((o) => o <= 250).length;
  expect(within / abs.length).toBeGreaterThanOrEqual(0.9);
  expect(abs[Math.floor(abs.length / 2)]).toBeLessThanOrEqual(50);
});

test('the goal alert appears in the focused window only; a session ended in window B shows in A\'s history within 1 s', async () => {
  // A goal minute of 15 s (shortMinute): where the alert appears does not depend on its length.
  const [a, b] = await suite.twoWindows(TRACKING_ON, { env: shortMinute() });
  for (const w of [a, b]) await waitForStatus(w, PROGRESS_ITEM, (t) => /XP/.test(t));
  await runCommand(a, 'Breath Master: Show History');
  const history = await webviewFrame(a, 'recent-rows');
  await history.evaluate(() => {
    const g = globalThis as unknown as G;
    const rows = g.document.getElementById('recent-rows');
    const seen: { rows: number; today: string; t: number }[] = [];
    g.__bmRows = seen;
    const read = () => seen.push({ rows: rows?.children.length ?? 0, today: g.document.getElementById('today')?.textContent ?? '', t: Date.now() });
    read();
    new g.MutationObserver(read).observe(rows, { childList: true });
  });
  const rowsSeen = () => history.evaluate(() => [...(((globalThis as unknown as G).__bmRows as { rows: number; today: string; t: number }[]) ?? [])]);
  expect((await rowsSeen())[0]?.rows).toBe(0);

  // A one-minute session (a short minute), started in A, which keeps the focus: the goal is announced there, and only there.
  await runCommand(a, 'Breath Master: Start Session');
  await pickItem(a, '1 minute');
  await waitForStatus(b, PROGRESS_ITEM, (t) => TIMER.test(t), 10_000);
  const goalToasts = async () => Promise.all([a, b].map(async (w) => (await seenToasts(w)).filter((t) => GOAL_MESSAGE.test(t))));
  const deadline = Date.now() + 120_000;
  while ((await goalToasts()).every((t) => t.length === 0)) {
    if (Date.now() > deadline) throw new Error(`no goal alert in either window; toasts: ${JSON.stringify([await seenToasts(a), await seenToasts(b)])}`);
    await a.waitForTimeout(250);
  }
  await a.waitForTimeout(5000); // time for a wrong second alert
  const [goalA, goalB] = await goalToasts();
  // The toast still showing now, not only recorded: A has it on screen, B has none.
  const onScreen = await Promise.all([a, b].map(async (w) => (await w.locator('.notification-toast').allInnerTexts()).filter((t) => GOAL_MESSAGE.test(t)).length));
  expect(goalA).toHaveLength(1);
  expect(goalB).toHaveLength(0);
  expect(onScreen).toEqual([1, 0]);

  // Now B ends it; A's history (A unfocused, its view still visible) shows the session.
  await suite.vscode.focus(b);
  await offerCommand(b, 'Breath Master: End Session');
  const pressed = Date.now();
  await b.keyboard.press('Enter');
  const shownDeadline = Date.now() + 5000;
  let shown: { rows: number; today: string; t: number } | undefined;
  while (!shown && Date.now() < shownDeadline) {
    shown = (await rowsSeen()).find((r) => r.rows > 0);
    if (!shown) await a.waitForTimeout(20);
  }
  const endedInB = await waitForStatus(b, PROGRESS_ITEM, (t) => !TIMER.test(t), 5000);
  const latencyMs = shown ? shown.t - pressed : undefined;
  recordFigures(`views-goal-history-${e2eVersion()}`, { goalToasts: { a: goalA, b: goalB }, goalOnScreen: onScreen, historyLatencyMs: latencyMs, todayInA: shown?.today, endedInB });
  expect(shown, 'the session never appeared in A\'s history').toBeDefined();
  expect(shown?.rows).toBe(1);
  expect(latencyMs).toBeLessThanOrEqual(1000);
});

test('the breathing view comes back after the window reloads, and breathes', async () => {
  const vscode = await suite.create({ settings: PATTERN });
  await vscode.start();
  const [a] = await vscode.openWindows(1);
  if (!a) throw new Error('a window expected');
  await waitForItem(a, BREATHING_ITEM);
  await runCommand(a, 'Breath Master: Open Breathing View');
  await webviewFrame(a, 'orb');
  const tab = a.locator('.tabs-container .tab', { hasText: 'Breathing' });
  await tab.first().waitFor({ state: 'visible', timeout: 15_000 });
  // Let the workbench save its editors before reloading (it does so on shutdown; a moment avoids a race).
  await a.waitForTimeout(2000);
  const reloaded = a.waitForEvent('domcontentloaded', { timeout: 120_000 });
  await runCommand(a, 'Developer: Reload Window');
  await reloaded;
  await a.waitForSelector('.statusbar', { timeout: 90_000 });
  await waitForItem(a, BREATHING_ITEM);
  const started = Date.now();
  const view = await webviewFrame(a, 'orb', 60_000);
  const restoredAfterMs = Date.now() - started;
  await recordPagePhases(view);
  // 2-1-2-1: two phase changes come within 3 s of a running page. A reloaded window on a loaded machine may still
  // be busy starting, so the page gets up to 15 s to show them — a blank panel never does.
  const watching = Date.now();
  let seen = await phases(view);
  while (seen.length - 1 < 2 && Date.now() - watching < 15_000) {
    await a.waitForTimeout(250);
    seen = await phases(view);
  }
  const tabs = await a.locator('.tabs-container .tab').allInnerTexts();
  recordFigures(`views-restore-${e2eVersion()}`, { restoredAfterMs, tabs, phaseChanges: seen.length - 1, twoChangesAfterMs: Date.now() - watching });
  expect(tabs.filter((t) => /Breathing/.test(t))).toHaveLength(1);
  expect(seen.length - 1).toBeGreaterThanOrEqual(2);
});
