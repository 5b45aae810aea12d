// The README's pictures of the breathing view, the history view and the goal alert, taken in real VS Code
// (code-server in Debian's Chromium), once in the light and once in the dark default theme:
//
//   node scripts/screenshots.mjs        → docs/images/{breathing,history,goal}-{light,dark}.png
//
// Each theme gets a fresh sandboxed profile whose store holds 20 weeks of invented sessions (a fixed seed, so the
// pictures change only when the views do). A real one-minute session runs in it, so the goal alert is the real one.
// BM_CODE_SERVER_VERSION picks the code-server version (default: the oldest supported); BM_VSIX an already
// packaged extension (default: `npm run package`, then a private copy — a build elsewhere empties dist/).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, createSandbox, removeSandbox, startServer } from './code-server/launch.mjs';
import { pickItem, runCommand } from './code-server/workbench.mjs';
import { CODE_SERVER_VERSION, ensureCodeServer } from './code-server/setup.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
function packaged() {
  if (process.env.BM_VSIX) return process.env.BM_VSIX;
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const copy = join(mkdtempSync(join(tmpdir(), 'bm-shots-')), 'breath-master.vsix');
  copyFileSync(join(root, 'dist', 'breath-master.vsix'), copy);
  return copy;
}
const vsix = packaged();
const images = join(root, 'docs', 'images');
const version = process.env.BM_CODE_SERVER_VERSION ?? CODE_SERVER_VERSION;
const THEMES = { light: 'Default Light Modern', dark: 'Default Dark Modern' };
const EXTENSION = 'breath-master.breath-master';
const MIN = 60_000;
const DAY = 86_400_000;

/** A small deterministic generator (mulberry32), so every run invents the same history. */
function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sessions on most days of the last 20 weeks, more in recent weeks; none today (the live session is today's). */
function inventedSessions(now) {
  const rnd = random(7);
  const sessions = [];
  const today = new Date(now);
  today.setHours(0, 0, 0, 0);
  for (let d = 140; d >= 1; d--) {
    const day = new Date(today.getTime() - d * DAY);
    const keen = d < 40 ? 0.85 : 0.55;
    if (rnd() > keen) continue;
    const count = rnd() < 0.25 ? 2 : 1;
    for (let i = 0; i < count; i++) {
      const goalMinutes = [5, 10, 10, 15, 20][Math.floor(rnd() * 5)];
      const activeMs = Math.round(goalMinutes * (0.6 + rnd() * 0.7) * MIN);
      const startedAt = day.getTime() + (8 + Math.floor(rnd() * 12)) * 3_600_000 + Math.floor(rnd() * 50) * MIN;
      sessions.push({ id: `seed-${d}-${i}`, startedAt, endedAt: startedAt + activeMs + Math.floor(rnd() * 3) * MIN, goalMinutes, activeMs, cycles: Math.floor(activeMs / 14_000), bonusXp: Math.round(Math.min(1, activeMs / (goalMinutes * MIN)) * goalMinutes * 0.5) });
    }
  }
  return sessions;
}

async function seedStore(globalStoragePath, now) {
  // The store as built with the extension just packaged (@breath-master/store), as any other program would use it.
  const { StorageWrapper } = createRequire(import.meta.url)('@breath-master/store');
  const store = new StorageWrapper({ globalStoragePath });
  const sessions = inventedSessions(now);
  const activeMs = sessions.reduce((sum, s) => sum + s.activeMs, 0);
  const xp = sessions.reduce((sum, s) => sum + s.cycles + s.bonusXp, 0);
  let streak = 0;
  for (let d = 1; sessions.some((s) => new Date(s.startedAt).toDateString() === new Date(now - d * DAY).toDateString()); d++) streak++;
  const lastDay = new Date(now - DAY);
  const iso = `${lastDay.getFullYear()}-${String(lastDay.getMonth() + 1).padStart(2, '0')}-${String(lastDay.getDate()).padStart(2, '0')}`;
  await store.set('breathMaster.history', { schema: 1, sessions, older: { sessions: 0, activeMs: 0, firstStartedAt: null } });
  await store.set('breathMaster.progress', {
    schema: 1, xp, streak: { current: streak, longest: Math.max(streak, 9), lastDay: streak > 0 ? iso : null },
    today: { day: null, activeMs: 0, sessions: 0 }, totals: { activeMs, sessions: sessions.length },
    session: null, recent: sessions.slice(-20), legacyImported: true,
  });
  await store.dispose();
}

async function shoot(theme, browser) {
  const now = Date.now();
  const sandbox = await createSandbox({
    version,
    vsix: [vsix],
    settings: {
      'workbench.colorTheme': THEMES[theme],
      'breathMaster.progress.tracking': 'on',
      'breathMaster.goals.weeklySummary': false,
      'breathMaster.reminders.cadence': 'off',
      'workbench.layoutControl.enabled': false,
      'window.commandCenter': false,
      'chat.commandCenter.enabled': false,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
    },
  });
  const storage = join(sandbox.userDataDir, 'User', 'globalStorage', EXTENSION);
  mkdirSync(storage, { recursive: true });
  await seedStore(storage, now);
  const folder = join(sandbox.root, 'my-project');
  mkdirSync(folder, { recursive: true });
  const server = await startServer(sandbox, { folder });
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 }, colorScheme: theme });
  try {
    const page = await context.newPage();
    await page.goto(server.folderUrl, { waitUntil: 'domcontentloaded', timeout: 120_000 });
    await page.waitForSelector('.statusbar', { timeout: 90_000 });
    await page.locator(`[id="${EXTENSION}.breathMaster.breathing"]`).waitFor({ state: 'attached', timeout: 90_000 });
    await page.waitForTimeout(3000);
    await runCommand(page, 'Notifications: Clear All Notifications');

    await runCommand(page, 'Breath Master: Start Session');
    await pickItem(page, '1 minute');
    const started = Date.now();
    await runCommand(page, 'Breath Master: Open Breathing View');
    await page.waitForTimeout(4000);
    await page.screenshot({ path: join(images, `breathing-${theme}.png`) });

    await runCommand(page, 'Breath Master: Show History');
    await page.waitForTimeout(4000);
    const sidebar = await page.locator('.part.sidebar').boundingBox();
    if (!sidebar) throw new Error('no side bar');
    await page.screenshot({ path: join(images, `history-${theme}.png`), clip: { x: 0, y: 0, width: sidebar.x + sidebar.width, height: 760 } });
    await runCommand(page, 'View: Close Primary Side Bar');

    // The goal alert of the running one-minute session (60 s of active time), in this, the focused window.
    await page.locator('.notification-toast', { hasText: 'reached your goal' }).waitFor({ timeout: 60_000 + 60_000 - (Date.now() - started) + 30_000 });
    await page.waitForTimeout(1000);
    await page.screenshot({ path: join(images, `goal-${theme}.png`) });
    process.stdout.write(`[screenshots] ${theme}: breathing, history, goal\n`);
  } finally {
    await context.close();
    await server.stop();
    removeSandbox(sandbox);
  }
}

ensureCodeServer(version);
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [...CHROMIUM_ARGS, '--hide-scrollbars'],
});
try {
  for (const theme of Object.keys(THEMES)) await shoot(theme, browser);
} finally {
  await browser.close();
}
