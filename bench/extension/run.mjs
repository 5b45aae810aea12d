// `npm run bench:extension`: what Breath Master costs in real VS Code (code-server + Chromium, two windows), against
// the same VS Code with no extension installed. Per state (breathing focused, breathing unfocused, paused, session
// running), for BM_BENCH_SECONDS (default 60) each:
//   - CPU of each window's renderer process and extension host process (utime+stime from /proc/<pid>/stat, as % of
//     one core, over the whole state; the median of 5-second slices beside it),
//   - status-bar updates per second of our items (MutationObserver callbacks touching them, per window),
//   - store commits per minute (new v<seq>.json version files under <globalStorage>/records/…) and which records,
// and once: the `activate` call's duration from "Developer: Startup Performance" (its "Call Activate" column).
//
//   node bench/extension/run.mjs            the full run, writes bench/extension-results.md, bench/extension/results.json
//   node bench/extension/run.mjs --quick    10 s per state, results to the temp folder
//   node bench/extension/run.mjs --render   rewrite bench/extension-results.md from bench/extension/results.json
// Env: BM_BENCH_SECONDS (per state), BM_BENCH_VERSION (code-server version, default the oldest supported),
//      BM_BENCH_VSIX (the extension's VSIX; default dist/breath-master.vsix, built by `npm run bench:extension`),
//      BM_BENCH_SETTINGS (JSON: more user settings for Breath Master's run, e.g. another animation preset).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, createSandbox, removeSandbox, startServer } from '../../scripts/code-server/launch.mjs';
import { pickItem, runCommand } from '../../scripts/code-server/workbench.mjs';
import { CODE_SERVER_VERSION, VERSIONS } from '../../scripts/code-server/setup.mjs';
import { describeMachine } from '../lib/machine.mjs';
import { median, round } from '../lib/stats.mjs';
import { renderMarkdown } from './report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const args = process.argv.slice(2);
if (args.includes('--render')) {
  const saved = JSON.parse(readFileSync(join(here, 'results.json'), 'utf8'));
  writeFileSync(join(here, '..', 'extension-results.md'), `${renderMarkdown(saved)}\n`);
  process.exit(0);
}
const quick = args.includes('--quick');
const SECONDS = Number(process.env.BM_BENCH_SECONDS ?? (quick ? 10 : 60));
const SLICE_S = Math.min(5, SECONDS);
const VERSION = process.env.BM_BENCH_VERSION ?? CODE_SERVER_VERSION;
const VSIX = process.env.BM_BENCH_VSIX ?? join(repoRoot, 'dist', 'breath-master.vsix');
const EXTENSION_ID = 'breath-master.breath-master';
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
// Progress tracking on (the demo's setting, and no welcome toast in the way); the default chill pattern.
const SETTINGS = { 'breathMaster.progress.tracking': 'on', ...JSON.parse(process.env.BM_BENCH_SETTINGS ?? '{}') };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (m) => process.stderr.write(`[bench:extension] ${m}\n`);

// ---- processes ----------------------------------------------------------------------------------------------

/** Every process: pid → { ppid, cpuTicks, cmdline }. */
function processTable() {
  const table = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: split after its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      table.set(Number(name), { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]), cmdline });
    } catch {
      // exited while listing
    }
  }
  return table;
}

function descendants(table, root) {
  const out = new Set();
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift();
    for (const [child, p] of table) if (p.ppid === pid && !out.has(child)) { out.add(child); queue.push(child); }
  }
  return out;
}

const isRenderer = (p) => p.cmdline.includes('--type=renderer');
const isExtensionHost = (p) => /--type=extensionHost|extensionHostProcess/.test(p.cmdline);

function pidsOf(table, root, kind) {
  return [...descendants(table, root)].filter((pid) => kind(table.get(pid)));
}

function ticksOf(pids) {
  const table = processTable();
  return pids.map((pid) => table.get(pid)?.cpuTicks ?? Number.NaN);
}

// ---- store commits -------------------------------------------------------------------------------------------

/** The highest committed sequence per key folder generation: records/<name>/g-<gen>/v<seq>.json. */
function commitHeads(globalStorage) {
  const heads = new Map();
  const records = join(globalStorage, 'records');
  if (!existsSync(records)) return heads;
  for (const name of readdirSync(records)) {
    let gens = [];
    try {
      gens = readdirSync(join(records, name)).filter((g) => g.startsWith('g-'));
    } catch {
      continue; // an intent file or a folder going away
    }
    for (const gen of gens) {
      let max = 0;
      try {
        for (const f of readdirSync(join(records, name, gen))) {
          const m = /^v(\d+)\.json$/.exec(f);
          if (m) max = Math.max(max, Number(m[1]));
        }
      } catch {
        continue;
      }
      heads.set(`${name}/${gen}`, max);
    }
  }
  return heads;
}

/** Commits between two listings: sequences only grow, so the sum of how far each head moved. */
function commitsBetween(before, after) {
  let n = 0;
  for (const [k, seq] of after) n += Math.max(0, seq - (before.get(k) ?? 0));
  return n;
}

/** Which records were committed between two listings: key folder name (without its hash) → commits. */
function committedKeys(before, after) {
  const keys = {};
  for (const [k, seq] of after) {
    const moved = Math.max(0, seq - (before.get(k) ?? 0));
    if (moved === 0) continue;
    const name = k.split('/')[0].replace(/-[0-9a-f]{16,}$/, '');
    keys[name] = (keys[name] ?? 0) + moved;
  }
  return keys;
}

// ---- pages ---------------------------------------------------------------------------------------------------

/** Counts MutationObserver callbacks on the status bar: all, and those touching our items (ids `<ext id>.…`). */
async function installObserver(page) {
  await page.evaluate((prefix) => {
    const g = globalThis;
    g.__bmBench = { ours: 0, all: 0 };
    const inOurs = (node) => {
      for (let n = node; n; n = n.parentNode) if (typeof n.id === 'string' && n.id.startsWith(prefix)) return true;
      return false;
    };
    new g.MutationObserver((records) => {
      g.__bmBench.all += 1;
      if (records.some((r) => inOurs(r.target) || [...r.addedNodes, ...r.removedNodes].some(inOurs))) g.__bmBench.ours += 1;
    }).observe(g.document.querySelector('.statusbar'), { subtree: true, childList: true, characterData: true, attributes: true });
  }, `${EXTENSION_ID}.`);
}

async function readObserver(page) {
  return page.evaluate(() => {
    const g = globalThis;
    const v = { ...g.__bmBench };
    g.__bmBench.ours = 0;
    g.__bmBench.all = 0;
    return v;
  });
}

async function hasFocus(page) {
  return page.evaluate(() => globalThis.document.hasFocus());
}

/**
 * Whether VS Code in `page` believes its window is focused: the workbench marks its title bar `inactive` when its
 * host service reports a blur. (`document.hasFocus()` is the browser's view; VS Code acts only on focus events.)
 */
async function workbenchFocused(page) {
  return page.evaluate(() => {
    const bar = globalThis.document.querySelector('.part.titlebar');
    return bar ? !bar.classList.contains('inactive') : globalThis.document.hasFocus();
  }).catch(() => false);
}

/**
 * Brings `page` to the front and waits until its document has focus and every page in `others` has not, in the
 * browser and in VS Code. A page in front that is no workbench (another application, as far as VS Code can tell) is
 * only checked by the browser.
 */
async function focus(page, others) {
  const isWorkbench = async (p) => p.evaluate(() => globalThis.document.querySelector('.monaco-workbench') !== null).catch(() => false);
  const workbenches = [];
  for (const p of others) if (await isWorkbench(p)) workbenches.push(p);
  const selfWorkbench = await isWorkbench(page);
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.bringToFront();
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      const browserOk = (await hasFocus(page)) && !(await Promise.all(others.map(hasFocus))).some(Boolean);
      const vscodeOk = (!selfWorkbench || (await workbenchFocused(page))) && !(await Promise.all(workbenches.map(workbenchFocused))).some(Boolean);
      if (browserOk && vscodeOk) return;
      await sleep(100);
    }
    // Seen: a window that had its document focused by a command kept believing it was focused after another page
    // came to the front (no blur event reached the workbench). Focusing it and leaving again delivers the events.
    log(`focus: VS Code did not follow (attempt ${attempt + 1}); moving the focus through each window again`);
    for (const p of workbenches) { await p.bringToFront(); await sleep(300); }
  }
  throw new Error('focus did not move (VS Code still believes another window is focused)');
}

/**
 * "Developer: Startup Performance" in `page`: its Markdown table row of our extension, "Call Activate" column (ms).
 * The text comes through the clipboard (Ctrl+A, Ctrl+C in the read-only editor), as a user would copy it.
 */
async function activateMsFromStartupPerformance(page) {
  await runCommand(page, 'Developer: Startup Performance');
  const editor = page.locator('.editor-instance .monaco-editor').first();
  await editor.waitFor({ state: 'visible', timeout: 30_000 });
  // The report is computed asynchronously; wait until the table is in.
  for (let i = 0; i < 60; i++) {
    await editor.click({ position: { x: 200, y: 100 } });
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+C');
    const text = await page.evaluate(() => globalThis.navigator.clipboard.readText());
    const row = text.split('\n').find((l) => l.includes(EXTENSION_ID) && l.trim().startsWith('|'));
    if (row) {
      const header = text.split('\n').find((l) => l.includes('Call Activate'));
      const cols = (l) => l.split('|').map((c) => c.trim()).slice(1, -1);
      const names = cols(header ?? '');
      const values = cols(row);
      const at = (name) => Number(values[names.indexOf(name)]);
      await page.keyboard.press('Escape');
      await runCommand(page, 'View: Close All Editors').catch(() => undefined);
      return { loadCodeMs: at('Load Code'), callActivateMs: at('Call Activate'), finishActivateMs: at('Finish Activate'), row };
    }
    await sleep(500);
  }
  return { loadCodeMs: Number.NaN, callActivateMs: Number.NaN, finishActivateMs: Number.NaN, row: '' };
}

// ---- one variant ---------------------------------------------------------------------------------------------

/** Measures the current state for SECONDS: CPU per window (median of slices), status-bar updates, commits. */
async function measure(ctx, label) {
  const pids = ctx.windows.flatMap((w) => [w.renderer, w.extensionHost]);
  for (const w of ctx.windows) await readObserver(w.page); // reset
  const heads0 = commitHeads(ctx.globalStorage);
  const t0 = performance.now();
  const slices = ctx.windows.map(() => ({ renderer: [], extensionHost: [] }));
  const first = ticksOf(pids);
  let prev = first;
  let prevT = t0;
  while (performance.now() - t0 < SECONDS * 1000 - 1) {
    await sleep(Math.min(SLICE_S * 1000, SECONDS * 1000 - (performance.now() - t0)));
    const now = ticksOf(pids);
    const t = performance.now();
    const pct = (i) => ((now[i] - prev[i]) / CLK_TCK / ((t - prevT) / 1000)) * 100;
    ctx.windows.forEach((_, w) => {
      slices[w].renderer.push(pct(2 * w));
      slices[w].extensionHost.push(pct(2 * w + 1));
    });
    prev = now;
    prevT = t;
  }
  const elapsedS = (prevT - t0) / 1000;
  // The whole state's CPU (all its ticks over all its time): work done once per phase or once a minute lands in
  // some slices only, and a median of slices would hide it. The median is kept beside it for comparison.
  const whole = (i) => ((prev[i] - first[i]) / CLK_TCK / elapsedS) * 100;
  const heads1 = commitHeads(ctx.globalStorage);
  const commits = commitsBetween(heads0, heads1);
  const windows = [];
  for (const [w, win] of ctx.windows.entries()) {
    const counts = await readObserver(win.page);
    windows.push({
      window: win.name,
      focused: await workbenchFocused(win.page),
      rendererCpuPct: round(whole(2 * w)),
      extensionHostCpuPct: round(whole(2 * w + 1)),
      rendererCpuMedianPct: round(median(slices[w].renderer)),
      extensionHostCpuMedianPct: round(median(slices[w].extensionHost)),
      statusBarUpdatesPerS: round(counts.ours / elapsedS),
      statusBarMutationsAllPerS: round(counts.all / elapsedS),
    });
  }
  const result = { state: label, seconds: round(elapsedS), storeCommitsPerMin: round((commits / elapsedS) * 60), committedKeys: committedKeys(heads0, heads1), windows };
  log(`${ctx.variant} · ${label}: ${JSON.stringify(result)}`);
  return result;
}

/**
 * Waits until the windows are quiet: at least 10 s, then until two 5-second slices in a row give every window's
 * renderer and extension host the same CPU within 0.5 % of a core (at most 60 s in all).
 */
async function settle(ctx) {
  const pids = ctx.windows.flatMap((w) => [w.renderer, w.extensionHost]);
  await sleep(10_000);
  const started = performance.now();
  let prev;
  let ticks = ticksOf(pids);
  while (performance.now() - started < 50_000) {
    await sleep(5_000);
    const now = ticksOf(pids);
    const pct = now.map((n, i) => ((n - ticks[i]) / CLK_TCK / 5) * 100);
    ticks = now;
    if (prev && pct.every((p, i) => Math.abs(p - prev[i]) < 0.5)) break;
    prev = pct;
  }
  log(`${ctx.variant}: settled after ${round(10 + (performance.now() - started) / 1000)} s`);
}

async function openWindow(ctx, name) {
  const before = processTable();
  const oldHosts = new Set(pidsOf(before, ctx.server.pid, isExtensionHost));
  const page = await ctx.context.newPage();
  await page.goto(ctx.server.folderUrl, { waitUntil: 'domcontentloaded', timeout: 120_000 });
  await page.waitForSelector('.statusbar', { timeout: 120_000 });
  // Real focus: off with Playwright's emulation, so only the window in front believes it is focused.
  await (await ctx.context.newCDPSession(page)).send('Emulation.setFocusEmulationEnabled', { enabled: false });
  if (ctx.withExtension) await page.locator(`[id="${EXTENSION_ID}.breathMaster.breathing"]`).first().waitFor({ state: 'attached', timeout: 120_000 });
  // The extension host starts after the workbench; wait for it to appear.
  let host;
  let renderer;
  for (let i = 0; i < 300 && !(host && renderer); i++) {
    const table = processTable();
    // Chromium keeps a spare renderer ready and hands it to the next page: the window's renderer is the one (of
    // those no other window has) that did the work of loading the workbench — seconds of CPU, a spare has next to none.
    const taken = new Set(ctx.windows.map((w) => w.renderer));
    renderer = pidsOf(table, ctx.browserPid, isRenderer)
      .filter((p) => !taken.has(p))
      .sort((x, y) => table.get(y).cpuTicks - table.get(x).cpuTicks)[0];
    if (renderer !== undefined && table.get(renderer).cpuTicks < CLK_TCK / 2) renderer = undefined;
    host = pidsOf(table, ctx.server.pid, isExtensionHost).find((p) => !oldHosts.has(p));
    if (!(host && renderer)) await sleep(200);
  }
  if (!host || !renderer) throw new Error(`window ${name}: no renderer (${renderer}) or extension host (${host}) of its own found`);
  await installObserver(page);
  return { name, page, renderer, extensionHost: host };
}

async function variant(withExtension) {
  const variantName = withExtension ? 'Breath Master' : 'no extension';
  log(`${variantName}: starting code-server ${VERSION}`);
  const sandbox = await createSandbox({ settings: withExtension ? SETTINGS : {}, vsix: withExtension ? [VSIX] : [], version: VERSION });
  const folder = join(sandbox.root, 'workspace');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'notes.md'), '# A workspace for the benchmark\n');
  const server = await startServer(sandbox, { folder });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url.replace(/\/$/, '') });
    // Chromium is a child of this process (as code-server is); its renderers are found below it by their --type.
    const browserPid = process.pid;
    const ctx = {
      variant: variantName, withExtension, server, context, browserPid, windows: [],
      globalStorage: join(sandbox.userDataDir, 'User', 'globalStorage', EXTENSION_ID),
    };
    // One window after the other, so each window's renderer and extension host are the processes that appeared.
    ctx.windows.push(await openWindow(ctx, 'A'));
    ctx.windows.push(await openWindow(ctx, 'B'));
    const [a, b] = ctx.windows.map((w) => w.page);
    let activate;
    if (withExtension) {
      await focus(a, [b]);
      activate = await activateMsFromStartupPerformance(a);
      log(`activate: ${JSON.stringify(activate)}`);
    }
    // Settle: startup work (welcome checks, first commits, extension host and workbench warm-up) is not idle cost,
    // and a whole-state figure would count it in the first state.
    await settle(ctx);

    const states = [];
    await focus(a, [b]);
    states.push(await measure(ctx, 'breathing, A focused'));

    // Neither window focused: a third page (another application, as far as VS Code can tell) is in front.
    const other = await context.newPage();
    await (await context.newCDPSession(other)).send('Emulation.setFocusEmulationEnabled', { enabled: false });
    await focus(other, [a, b]);
    states.push(await measure(ctx, 'breathing, both unfocused'));

    if (withExtension) {
      for (const p of [b, a]) {
        await focus(p, [a, b, other].filter((x) => x !== p));
        await runCommand(p, 'Breath Master: Toggle Breathing');
      }
      await sleep(2000);
    } else {
      await focus(a, [b, other]);
    }
    states.push(await measure(ctx, 'paused (both windows), A focused'));

    if (withExtension) {
      for (const p of [b, a]) {
        await focus(p, [a, b, other].filter((x) => x !== p));
        await runCommand(p, 'Breath Master: Toggle Breathing');
      }
      await runCommand(a, 'Breath Master: Start Session');
      await pickItem(a, '10 minutes');
      await sleep(3000);
    } else {
      await focus(a, [b, other]);
    }
    states.push(await measure(ctx, 'session running, A focused'));
    if (withExtension) await runCommand(a, 'Breath Master: End Session');
    return { variant: variantName, activate, states };
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
    removeSandbox(sandbox);
  }
}

// ---- main ----------------------------------------------------------------------------------------------------

if (!existsSync(VSIX)) throw new Error(`${VSIX} is missing: run \`npm run package\` (npm run bench:extension does)`);
const machine = describeMachine(os.tmpdir());
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
const started = Date.now();
const none = await variant(false);
const ours = await variant(true);
machine.loadAverageAtEnd = os.loadavg().map((l) => Math.round(l * 100) / 100);
const results = {
  codeServer: VERSION,
  vscode: VERSIONS[VERSION]?.vscode,
  commit,
  secondsPerState: SECONDS,
  sliceSeconds: SLICE_S,
  machine,
  durationS: Math.round((Date.now() - started) / 1000),
  variants: [none, ours],
};
// The committed results: bench/extension-results.md (and the raw figures in bench/extension/results.json); a quick
// run writes to the temp folder instead.
const mdFile = quick ? join(os.tmpdir(), 'bm-bench-results', 'extension-results.md') : join(here, '..', 'extension-results.md');
const jsonFile = quick ? join(os.tmpdir(), 'bm-bench-results', 'extension-results.json') : join(here, 'results.json');
mkdirSync(dirname(mdFile), { recursive: true });
writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(mdFile, `${renderMarkdown(results)}\n`);
log(`written to ${mdFile} and ${jsonFile}`);
process.stdout.write(`${renderMarkdown(results)}\n`);
