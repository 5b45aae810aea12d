/**
 * The weekly summary in real VS Code: two windows starting together on a profile whose store holds a session of
 * last week show it once between them — not once per window, and not again when the focus moves.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect } from 'vitest';
import { recordFigures } from './figures';
import { e2eVersion, EXTENSION_ID, seenToasts } from './harness';
import { e2eSuite, newestOnly } from './suite';

const SUMMARY = /last week: .* of mindful breathing/i;
const MIN = 60_000;

const suite = e2eSuite();

/** Writes a history with one session a week ago (always in last week) through the store, as another program would. */
async function seedLastWeek(globalStoragePath: string): Promise<void> {
  const { StorageWrapper } = createRequire(join(process.cwd(), 'package.json'))('@breath-master/store') as typeof import('@breath-master/store');
  const store = new StorageWrapper({ globalStoragePath });
  const startedAt = Date.now() - 7 * 86_400_000;
  const session = { id: 'last-week', startedAt, endedAt: startedAt + 12 * MIN, goalMinutes: 10, activeMs: 12 * MIN, cycles: 50, bonusXp: 5 };
  await store.set('breathMaster.history', { schema: 1, sessions: [session], older: { sessions: 0, activeMs: 0, firstStartedAt: null } });
  await store.dispose();
}

newestOnly('the weekly summary: once between two windows starting together, not again when the focus moves', async () => {
  const vscode = await suite.create({ settings: { 'breathMaster.progress.tracking': 'on', 'breathMaster.reminders.cadence': 'off' } });
  await seedLastWeek(vscode.globalStorage(EXTENSION_ID));
  await vscode.start();
  const [a, b] = await vscode.openTwoWindows();
  const count = async () => Promise.all([a, b].map(async (w) => (await seenToasts(w)).filter((t) => SUMMARY.test(t))));
  const deadline = Date.now() + 20_000;
  while ((await count()).flat().length === 0 && Date.now() < deadline) await a.waitForTimeout(250);
  for (const [front] of [[b], [a], [b]] as const) {
    await vscode.focus(front);
    await front.waitForTimeout(2000);
  }
  const [inA, inB] = await count();
  recordFigures(`views-weekly-${e2eVersion()}`, { summaryA: inA, summaryB: inB });
  expect([...(inA ?? []), ...(inB ?? [])]).toHaveLength(1);
  expect([...(inA ?? []), ...(inB ?? [])][0]).toMatch(/12 minutes of mindful breathing in 1 session, on 1 day \(1 at your daily goal\)/);
});
