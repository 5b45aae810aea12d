import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_KEY, HISTORY_LIMIT, PRESENCE_KEY } from '../../../src/engine';
import { StorageWrapper } from '@breath-master/store';
import { EngineWindow, prepareWorkers, tempFolder } from './harness';

// Three "windows" (real Node processes) share one real store folder. Time is virtual and sent with each request,
// so all processes agree on it; the store, the files, the change feed and the races are real.
const T0 = new Date(2024, 5, 10, 9, 0, 0).getTime();
const CHILL_CYCLE_MS = 14_000;

type Snapshot = { xp: number; session: { id: string; state: string; activeMs: number } | null; isCounter: boolean; history: string[] };
type End = { ended: boolean; xpAwarded: number; summary?: { id: string; cycles: number; bonusXp: number } };

const work = tempFolder();
let modules: { storeModule: string; workerScript: string };

beforeAll(async () => {
  modules = await prepareWorkers(work.dir);
});
afterAll(() => work.remove());

async function openWindows(n: number, dir: string): Promise<EngineWindow[]> {
  const windows = Array.from({ length: n }, (_, i) => new EngineWindow(modules.workerScript, { storeModule: modules.storeModule, dir, clientId: `w${i + 1}` }));
  await Promise.all(windows.map((w) => w.ready));
  return windows;
}

/** Waits until the window has heard (through the change feed) of a snapshot matching `match`. */
function sees(w: EngineWindow, match: (e: Record<string, unknown>) => boolean) {
  return w.event((m) => m.type === 'snapshot' && match(m));
}

describe('trackers in separate processes on one store', () => {
  it('count cycle XP once: the focused window counts; when the holder dies another takes over; nothing lost or doubled', async () => {
    const dir = join(work.dir, 'xp');
    const [w1, w2, w3] = (await openWindows(3, dir)) as [EngineWindow, EngineWindow, EngineWindow];
    try {
      const { session } = await w1.request<{ session: { id: string } }>('start', { now: T0, goal: 30 });
      await Promise.all([w2, w3].map((w) => sees(w, (e) => e.sessionId === session.id)));
      await w2.request('focus', { focused: true, now: T0 });

      const credited = { w1: 0, w2: 0, w3: 0 };
      let now = T0;
      const round = async (live: Array<[keyof typeof credited, EngineWindow]>) => {
        now += 2_000;
        const results = await Promise.all(live.map(([, w]) => w.request<number>('tick', { now })));
        live.forEach(([name], i) => (credited[name] += results[i] ?? 0));
      };
      for (let i = 0; i < 50; i++) await round([['w1', w1], ['w2', w2], ['w3', w3]]);
      // Phase 1 (100 s): only the focused window credited, and it renewed the counting lease about twice a minute
      // (the focus claim, then a heartbeat every ~30 s): not a commit every few seconds that wakes every window.
      expect(credited).toEqual({ w1: 0, w2: Math.floor(100_000 / CHILL_CYCLE_MS), w3: 0 });
      const reader = new StorageWrapper({ globalStoragePath: dir }, { watch: 'poll' });
      const presence = reader.get<{ holder: string }>(PRESENCE_KEY);
      reader.dispose();
      expect(presence.payload.holder).toBe('w2');
      expect(presence.version).toBeLessThanOrEqual(1 + Math.ceil(100_000 / 30_000));

      // The user switches to another app (no window focused), then w2's process dies without releasing.
      await w2.request('focus', { focused: false, now });
      await w2.kill();
      for (let i = 0; i < 100; i++) await round([['w1', w1], ['w3', w3]]);

      const snapshots = await Promise.all([w1, w3].map((w) => w.request<Snapshot>('snapshot', { now })));
      const expected = Math.floor((now - T0) / CHILL_CYCLE_MS); // 300 s of active time → 21 cycles
      expect(snapshots.map((s) => s.xp)).toEqual([expected, expected]);
      expect(snapshots.filter((s) => s.isCounter)).toHaveLength(1);
      expect(credited.w1 + credited.w3).toBe(expected - credited.w2);
    } finally {
      await Promise.all([w1, w2, w3].map((w) => w.kill()));
    }
  });

  it('share one session: started in one, paused in another, ended in a third, XP and history the same everywhere', async () => {
    const dir = join(work.dir, 'session');
    const [w1, w2, w3] = (await openWindows(3, dir)) as [EngineWindow, EngineWindow, EngineWindow];
    try {
      const { session, started } = await w1.request<{ session: { id: string }; started: boolean }>('start', { now: T0, goal: 10 });
      expect(started).toBe(true);
      await Promise.all([w2, w3].map((w) => sees(w, (e) => e.sessionId === session.id)));
      // Starting again elsewhere returns the same session.
      expect(await w2.request('start', { now: T0 + 1_000, goal: 20 })).toMatchObject({ started: false, session: { id: session.id, goalMinutes: 10 } });
      await w3.request('pause', { now: T0 + 90_000 });
      await sees(w1, (e) => e.state === 'paused');
      const end = await w3.request<End>('end', { now: T0 + 9 * 60_000 });
      expect(end).toMatchObject({ ended: true, summary: { id: session.id } });
      // 90 s active: 6 cycles + bonus round(0.15 × 10 × 0.5) = 1.
      expect(end.xpAwarded).toBe(Math.floor(90_000 / CHILL_CYCLE_MS) + 1);
      // The history is its own record, appended right after the end commit: wait for both to arrive.
      await Promise.all([w1, w2].map((w) => sees(w, (e) => e.sessionId === null && e.xp === end.xpAwarded && e.history === 1)));
      const all = await Promise.all([w1, w2, w3].map((w) => w.request<Snapshot>('snapshot', { now: T0 + 9 * 60_000 })));
      for (const s of all) expect(s).toMatchObject({ xp: end.xpAwarded, session: null, history: [session.id] });
    } finally {
      await Promise.all([w1, w2, w3].map((w) => w.close()));
    }
  });

  it('keep the session when the window that started it is killed: a window opened later sees it and ends it', async () => {
    const dir = join(work.dir, 'reload');
    const [w1] = (await openWindows(1, dir)) as [EngineWindow];
    const { session } = await w1.request<{ session: { id: string } }>('start', { now: T0, goal: 5 });
    await w1.kill();
    const [w2] = (await openWindows(1, dir)) as [EngineWindow];
    try {
      expect(await w2.request<Snapshot>('snapshot', { now: T0 + 60_000 })).toMatchObject({ session: { id: session.id, state: 'running', activeMs: 60_000 } });
      expect(await w2.request<End>('end', { now: T0 + 60_000 })).toMatchObject({ ended: true, summary: { id: session.id } });
    } finally {
      await w2.close();
    }
  });

  it('ending at the same instant in three processes awards once, round after round', async () => {
    const dir = join(work.dir, 'end-race');
    const windows = await openWindows(3, dir);
    const [w1] = windows as [EngineWindow];
    try {
      let expectedXp = 0;
      for (let r = 0; r < 8; r++) {
        const now = T0 + r * 3_600_000;
        const { session } = await w1.request<{ session: { id: string } }>('start', { now, goal: 5 });
        await Promise.all(windows.map((w) => sees(w, (e) => e.sessionId === session.id)));
        const at = Date.now() + 150;
        const ends = await Promise.all(windows.map((w) => w.request<End>('end', { now: now + 100_000, at })));
        expect(ends.filter((e) => e.ended)).toHaveLength(1);
        expect(ends.filter((e) => !e.ended).every((e) => e.xpAwarded === 0)).toBe(true);
        expectedXp += ends.find((e) => e.ended)?.xpAwarded ?? 0;
        await Promise.all(windows.map((w) => sees(w, (e) => e.sessionId === null && e.xp === expectedXp && e.history === r + 1)));
      }
      // 8 × (7 cycles in 100 s + bonus round(100/300 × 5 × 0.5) = 1)
      expect(expectedXp).toBe(8 * (Math.floor(100_000 / CHILL_CYCLE_MS) + 1));
      const snapshots = await Promise.all(windows.map((w) => w.request<Snapshot>('snapshot', { now: T0 + 9 * 3_600_000 })));
      for (const s of snapshots) expect(s).toMatchObject({ xp: expectedXp });
      expect(new Set(snapshots[0]?.history).size).toBe(8);
      const metrics = await Promise.all(windows.map((w) => w.request<{ conflicts: number }>('metrics')));
      console.log(`[engine end race] 8 rounds × 3 processes: conflicts ${metrics.reduce((s, m) => s + m.conflicts, 0)}`);
    } finally {
      await Promise.all(windows.map((w) => w.close()));
    }
  });

  it('keep a full history (500 sessions, ~50 KB: past a single 16 KB read) across windows', async () => {
    const dir = join(work.dir, 'full-history');
    const seed = new StorageWrapper({ globalStoragePath: dir }, { watch: 'poll' });
    const sessions = Array.from({ length: HISTORY_LIMIT }, (_, i) => ({ id: `old${i}`, startedAt: T0 - 1e9 + i * 1000, endedAt: T0 - 1e9 + i * 1000 + 600, goalMinutes: 5, activeMs: 600, cycles: 0, bonusXp: 0 }));
    const seeded = await seed.set(HISTORY_KEY, { schema: 1, sessions, older: { sessions: 0, activeMs: 0, firstStartedAt: null } });
    seed.dispose();
    expect(JSON.stringify(seeded.payload).length).toBeGreaterThan(40_000);
    const [w1, w2] = (await openWindows(2, dir)) as [EngineWindow, EngineWindow];
    try {
      expect((await w2.request<Snapshot>('snapshot', { now: T0 })).history).toHaveLength(HISTORY_LIMIT);
      const { session } = await w1.request<{ session: { id: string } }>('start', { now: T0, goal: 1 });
      await w1.request<End>('end', { now: T0 + 60_000 });
      // w2 hears of it through the change feed (a snapshot event without a session, after the start).
      const started = await sees(w2, (e) => e.sessionId === session.id);
      await w2.event((m) => m.type === 'snapshot' && m.sessionId === null && w2.events.indexOf(m) > w2.events.indexOf(started));
      // The session's end and its history entry are separate commits (two keys): the history may follow a moment later.
      let history = (await w2.request<Snapshot>('snapshot', { now: T0 + 60_000 })).history;
      for (let waited = 0; history.at(-1) !== session.id && waited < 10_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        history = (await w2.request<Snapshot>('snapshot', { now: T0 + 60_000 })).history;
      }
      expect(history).toHaveLength(HISTORY_LIMIT);
      expect(history[0]).toBe('old1'); // the oldest was summarised, the rest kept
      expect(history.at(-1)).toBe(session.id);
    } finally {
      await Promise.all([w1, w2].map((w) => w.close()));
    }
  });

  it('claim the welcome exactly once among three, and import legacy stats once, over fresh stores', async () => {
    const windows = await openWindows(3, join(work.dir, 'welcome-home'));
    try {
      for (let r = 0; r < 10; r++) {
        const dir = join(work.dir, `welcome-${r}`);
        const at = Date.now() + 150;
        const claims = await Promise.all(windows.map((w) => w.request<boolean>('claimWelcome', { dir, at })));
        expect(claims.filter(Boolean)).toHaveLength(1);
        const again = await Promise.all(windows.map((w) => w.request<boolean>('claimWelcome', { dir })));
        expect(again).toEqual([false, false, false]);
      }
      const legacy = { totalXP: 321, currentStreak: 4, longestStreak: 9, lastMeditationDate: new Date(T0).toDateString() };
      for (let r = 0; r < 5; r++) {
        const dir = join(work.dir, `legacy-${r}`);
        const at = Date.now() + 150;
        const imports = await Promise.all(windows.map((w) => w.request<boolean>('importLegacy', { dir, raw: legacy, at, now: T0 })));
        expect(imports.filter(Boolean)).toHaveLength(1);
      }
      // The imported XP landed once: read it back through a window on one of those folders.
      const [reader] = await openWindows(1, join(work.dir, 'legacy-0'));
      try {
        expect(await reader?.request<Snapshot>('snapshot', { now: T0 })).toMatchObject({ xp: 321 });
      } finally {
        await reader?.close();
      }
    } finally {
      await Promise.all(windows.map((w) => w.close()));
    }
  });
});
