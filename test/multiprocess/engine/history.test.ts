import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageWrapper } from '@breath-master/store';
import { SESSIONS_KEY } from '../../../src/engine';
import { EngineWindow, prepareWorkers, tempFolder } from './harness';

// The session history on the store's per-writer log, from real processes on one real store folder: sessions ended
// (and imported) by two windows at the same instant are all kept, none twice, in the same order everywhere.
const T0 = new Date(2024, 5, 10, 9, 0, 0).getTime();
const CHILL_CYCLE_MS = 14_000;

type Snapshot = { session: { id: string } | null; history: string[] };
type End = { ended: boolean; summary?: { id: string } };

const work = tempFolder();
let modules: { storeModule: string; workerScript: string };

beforeAll(async () => {
  modules = await prepareWorkers(work.dir);
});
afterAll(() => work.remove());

async function openWindows(n: number, dir: string, first = 1): Promise<EngineWindow[]> {
  const windows = Array.from({ length: n }, (_, i) => new EngineWindow(modules.workerScript, { storeModule: modules.storeModule, dir, clientId: `w${first + i}` }));
  await Promise.all(windows.map((w) => w.ready));
  return windows;
}

function session(id: string, endedAt: number) {
  return { id, startedAt: endedAt - 120_000, endedAt, goalMinutes: 5, activeMs: 120_000, cycles: 8, bonusXp: 1 };
}

/** Polls a window's snapshot until `done` holds (the change feed brings the other window's appends). */
async function until(w: EngineWindow, now: number, done: (s: Snapshot) => boolean): Promise<Snapshot> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const s = await w.request<Snapshot>('snapshot', { now });
    if (done(s) || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the session history on a log, from separate processes', () => {
  it('two windows ending and importing sessions at the same instant: every session kept, none twice, one order', async () => {
    const dir = join(work.dir, 'ends');
    const [w1, w2] = (await openWindows(2, dir)) as [EngineWindow, EngineWindow];
    try {
      let now = T0;
      const ended: string[] = [];
      for (let round = 0; round < 8; round++) {
        const starter = round % 2 === 0 ? w1 : w2;
        const other = starter === w1 ? w2 : w1;
        const { session: s } = await starter.request<{ session: { id: string } }>('start', { now, goal: 5 });
        await until(other, now, (snap) => snap.session?.id === s.id);
        now += 2 * CHILL_CYCLE_MS;
        // Both end it at the same wall-clock instant: one commit ends it, both try to record it.
        const at = Date.now() + 50;
        const results = await Promise.all([w1, w2].map((w) => w.request<End>('end', { now, at })));
        expect(results.filter((r) => r.ended)).toHaveLength(1);
        ended.push(s.id);
        now += 60_000;
      }
      // Then each imports 40 sessions of its own and 10 both have, at the same instant: appends from two writers at once.
      const shared = Array.from({ length: 10 }, (_, i) => session(`shared-${i}`, T0 - 3_600_000 + i * 1000));
      const file = (name: string) => ({
        schemaVersion: 1,
        app: 'breath-master',
        exportedAt: new Date(T0 - 1000).toISOString(),
        progress: { xp: 0 },
        sessions: [...Array.from({ length: 40 }, (_, i) => session(`${name}-${i}`, T0 - 7_200_000 + i * 1000)), ...shared],
      });
      const at = Date.now() + 50;
      const imports = await Promise.all([w1, w2].map((w, i) => w.request<{ ok: boolean; sessionsAdded: number }>('importData', { now, at, data: file(`w${i + 1}`) })));
      expect(imports.every((r) => r.ok)).toBe(true);

      const total = ended.length + 40 + 40 + 10;
      const [h1, h2] = await Promise.all([w1, w2].map((w) => until(w, now, (snap) => snap.history.length >= total)));
      expect(h1?.history).toHaveLength(total);
      expect(new Set(h1?.history).size).toBe(total);
      for (const id of [...ended, 'w1-0', 'w2-39', 'shared-9']) expect(h1?.history).toContain(id);
      expect(h2?.history).toEqual(h1?.history);

      // The log itself: each ended session's event once (both windows tried with the same id), every writer's events
      // read in the same order by another process.
      const reader = new StorageWrapper({ globalStoragePath: dir }, { clientId: 'reader', watch: 'poll' });
      try {
        const entries = reader.log(SESSIONS_KEY).entries();
        const sessionIds = entries.filter((e) => (e.data as { kind: string }).kind === 'session').map((e) => (e.data as { session: { id: string } }).session.id);
        for (const id of ended) expect(sessionIds.filter((x) => x === id)).toHaveLength(1);
        expect(new Set(sessionIds).size).toBe(total);
        expect(new Set(entries.map((e) => e.writer)).size).toBe(2); // one writer per process
      } finally {
        await reader.dispose();
      }
    } finally {
      await Promise.all([w1, w2].map((w) => w.close()));
    }
    // After both closed (their logs folded into the key's record), a new window reads the same history.
    const [w3] = (await openWindows(1, dir, 3)) as [EngineWindow];
    try {
      const s = await w3.request<Snapshot>('snapshot', { now: T0 + 3_600_000 });
      expect(s.history).toHaveLength(8 + 90);
      expect(new Set(s.history).size).toBe(8 + 90);
    } finally {
      await w3.close();
    }
  }, 60_000);
});
