import { afterEach, describe, expect, it } from 'vitest';
import {
  cycleMs,
  endBonus,
  HISTORY_KEY,
  MAX_UNCOUNTED_MS,
  HISTORY_LIMIT,
  LEASE_MS,
  MeditationTracker,
  PATTERNS,
  PRESENCE_KEY,
  PROGRESS_KEY,
  type BreathingPattern,
  type ProgressNotification,
  type ProgressSnapshot,
} from '../../../src/engine';
import { FakeClock, FakeStoreHub, type FakeStore } from './fakeStore';

const MIN = 60_000;
const CHILL = cycleMs(PATTERNS.chill); // 14 s

const trackers: MeditationTracker[] = [];
const stores: FakeStore[] = [];
afterEach(() => {
  for (const t of trackers.splice(0)) t.dispose();
  for (const s of stores.splice(0)) expect(s.listenerErrors).toEqual([]);
});

let ids = 0;
function window(hub: FakeStoreHub, clock: FakeClock, name: string): MeditationTracker {
  const store = hub.open(name);
  stores.push(store);
  const t = new MeditationTracker(store, { clock, pattern: PATTERNS.chill, newId: () => `s${++ids}` });
  trackers.push(t);
  return t;
}

function setup(n = 1) {
  const hub = new FakeStoreHub();
  const clock = new FakeClock();
  const windows = Array.from({ length: n }, (_, i) => window(hub, clock, `w${i + 1}`));
  return { hub, clock, windows, a: windows[0] as MeditationTracker, b: windows[1] as MeditationTracker, c: windows[2] as MeditationTracker };
}

/** Time passes with the window counting, as in VS Code (the adapter ticks every second). */
async function meditate(t: MeditationTracker, clock: FakeClock, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 1000) {
    clock.advance(Math.min(1000, left));
    await t.tick();
  }
}

/** Lets queued change-feed deliveries (microtasks) run. */
const settle = () => new Promise<void>((r) => setTimeout(r, 0));

describe('bonus formula', () => {
  it('is round(min(1, active/goal) × goalMinutes × 0.5)', () => {
    expect(endBonus(10 * MIN, 10)).toBe(5);
    expect(endBonus(30 * MIN, 10)).toBe(5);
    expect(endBonus(5 * MIN, 10)).toBe(3); // 2.5 rounds up
    expect(endBonus(3 * MIN, 10)).toBe(2); // 1.5
    expect(endBonus(1 * MIN, 10)).toBe(1); // 0.5
    expect(endBonus(0.9 * MIN, 10)).toBe(0); // 0.45
    expect(endBonus(0, 10)).toBe(0);
    expect(endBonus(20 * MIN, 20)).toBe(10);
  });
});

describe('session lifecycle', () => {
  it('starts with the level\'s default goal, and a second start returns the running one', async () => {
    const { a } = setup();
    const first = await a.start();
    expect(first).toMatchObject({ started: true, session: { goalMinutes: 5, state: 'running', activeMs: 0 } });
    const again = await a.start(20);
    expect(again).toEqual({ started: false, session: first.session });
  });

  it('takes an explicit goal and ignores a nonsensical one', async () => {
    const { a, clock } = setup();
    expect((await a.start(15)).session.goalMinutes).toBe(15);
    clock.advance(MIN);
    await a.end();
    expect((await a.start(-3)).session.goalMinutes).toBe(5);
    await a.end();
    expect((await a.start(Number.NaN)).session.goalMinutes).toBe(5);
  });

  it('counts only unpaused time: run 2 min, pause 5, resume 1 → 3 min active', async () => {
    const { a, clock } = setup();
    await a.start(10);
    await meditate(a, clock, 2 * MIN);
    expect(await a.pause()).toMatchObject({ state: 'paused', activeMs: 2 * MIN });
    clock.advance(5 * MIN);
    expect(a.session()?.activeMs).toBe(2 * MIN);
    expect(await a.pause()).toMatchObject({ state: 'paused', activeMs: 2 * MIN }); // pausing twice changes nothing
    expect(await a.resume()).toMatchObject({ state: 'running', activeMs: 2 * MIN });
    await meditate(a, clock, 1 * MIN);
    const result = await a.end();
    expect(result.ended).toBe(true);
    expect(result.summary).toMatchObject({ activeMs: 3 * MIN, goalMinutes: 10 });
    // 3 min of chill = 12 full cycles (168 s) + bonus round(0.3 × 10 × 0.5) = 2.
    expect(result.summary?.cycles).toBe(Math.floor((3 * MIN) / CHILL));
    expect(a.snapshot().xp).toBe(14);
    expect(a.snapshot()).toMatchObject({ xp: 14, session: null, today: { activeMs: 3 * MIN, sessions: 1 }, totals: { activeMs: 3 * MIN, sessions: 1 } });
  });

  it('earns no cycles while paused', async () => {
    const { a, clock } = setup();
    const { session } = await a.start(10);
    await a.pause();
    clock.advance(10 * MIN);
    expect(await a.creditCycles(session.id)).toBe(0);
    expect(await a.tick()).toBe(0);
    expect(a.snapshot().xp).toBe(0);
  });

  it('ending twice awards once', async () => {
    const { a, clock } = setup();
    await a.start(10);
    clock.advance(100_000);
    const first = await a.end();
    const second = await a.end();
    expect(first.ended).toBe(true);
    expect(second).toEqual({ ended: false, xpAwarded: 0, tracking: true });
    expect(a.snapshot().xp).toBe(first.xpAwarded);
    // 7 cycles in 100 s + bonus round(100/600 × 10 × 0.5) = 1.
    expect(first.xpAwarded).toBe(7 + 1);
  });

  it('two windows ending at the same instant award once', async () => {
    const { a, b, clock, hub } = setup(2);
    await a.start(10);
    await settle();
    clock.advance(10 * MIN);
    const [ra, rb] = await Promise.all([a.end(), b.end()]);
    expect([ra.ended, rb.ended].filter(Boolean)).toHaveLength(1);
    const winner = ra.ended ? ra : rb;
    expect(hub.conflicts).toBeGreaterThan(0); // they really raced: one updater ran again on the ended value
    await settle();
    expect(a.snapshot().xp).toBe(winner.xpAwarded);
    expect(b.snapshot().xp).toBe(winner.xpAwarded);
    expect(a.history().sessions.map((s) => s.id)).toEqual([winner.summary?.id]);
  });

  it('cycles credited for a session that has ended count nothing', async () => {
    const { a, clock } = setup();
    const { session } = await a.start(5);
    clock.advance(2 * MIN);
    await a.end();
    const xp = a.snapshot().xp;
    clock.advance(5 * MIN);
    expect(await a.creditCycles(session.id)).toBe(0);
    await a.start(5);
    clock.advance(5 * MIN);
    // Old id against a new running session: still nothing.
    expect(await a.creditCycles(session.id)).toBe(0);
    expect(a.snapshot().xp).toBe(xp);
  });

  it('a session started in one window is visible, pausable and endable in another', async () => {
    const { a, b, clock } = setup(2);
    const started = await a.start(10);
    await settle();
    expect(b.session()?.id).toBe(started.session.id);
    clock.advance(MIN);
    await b.pause();
    await settle();
    expect(a.session()?.state).toBe('paused');
    await a.resume();
    clock.advance(MIN);
    await settle();
    const r = await b.end();
    expect(r).toMatchObject({ ended: true, summary: { id: started.session.id, activeMs: 2 * MIN } });
    await settle();
    expect(a.session()).toBeNull();
  });

  it('two windows starting at once share one session', async () => {
    const { a, b, c } = setup(3);
    const results = await Promise.all([a.start(), b.start(), c.start()]);
    expect(results.filter((r) => r.started)).toHaveLength(1);
    expect(new Set(results.map((r) => r.session.id)).size).toBe(1);
  });
});

describe('cycle XP counted by exactly one window', () => {
  it('only the focused window credits; the others write nothing', async () => {
    const { a, b, c, clock, hub } = setup(3);
    await a.start(30);
    await b.setFocused(true);
    await settle();
    for (let i = 0; i < 60; i++) {
      clock.advance(1000);
      await Promise.all([a.tick(), b.tick(), c.tick()]);
      await settle();
    }
    expect(b.isCounter()).toBe(true);
    expect(a.isCounter()).toBe(false);
    expect(a.snapshot().xp).toBe(Math.floor((60 * 1000) / CHILL));
    const progressWriters = new Set([hub.head(PROGRESS_KEY)?.clientId]);
    expect(progressWriters).toEqual(new Set(['w2']));
  });

  it('with no window focused, one is elected; when it vanishes another takes over and loses no cycle', async () => {
    const { a, b, c, clock } = setup(3);
    await a.start(30);
    await settle();
    const live = [a, b, c];
    for (let i = 0; i < 20; i++) {
      clock.advance(1000);
      for (const t of live) await t.tick();
      await settle();
    }
    const counters = live.filter((t) => t.isCounter());
    expect(counters).toHaveLength(1);
    const gone = counters[0] as MeditationTracker;
    gone.dispose(); // the holder's window crashed: no release, it just stops ticking
    const rest = live.filter((t) => t !== gone);
    const after = LEASE_MS / 1000 + 20;
    for (let i = 0; i < after; i++) {
      clock.advance(1000);
      for (const t of rest) await t.tick();
      await settle();
    }
    expect(rest.filter((t) => t.isCounter())).toHaveLength(1);
    // Every full cycle of the active time credited exactly once despite the lease's gap.
    expect(rest[0]?.snapshot().xp).toBe(Math.floor(((20 + after) * 1000) / CHILL));
  });

  it('while a session runs, the counting window renews its lease about twice a minute, and the others never write it', async () => {
    const { a, b, clock, hub } = setup(2);
    await a.start(30);
    await a.setFocused(true);
    await settle();
    const before = hub.head(PRESENCE_KEY)?.version ?? 0;
    for (let i = 0; i < 600; i++) {
      clock.advance(1000);
      await Promise.all([a.tick(), b.tick()]);
      await settle();
    }
    // Ten minutes: at most two heartbeats a minute, all by the counting window; and the lease never lapsed (the
    // other window would have claimed it).
    const heartbeats = (hub.head(PRESENCE_KEY)?.version ?? 0) - before;
    expect(heartbeats).toBeGreaterThanOrEqual(10);
    expect(heartbeats).toBeLessThanOrEqual(20);
    expect(hub.head(PRESENCE_KEY)?.clientId).toBe('w1');
    expect(a.isCounter()).toBe(true);
  });

  it('a focused window takes over from an unfocused holder at once', async () => {
    const { a, b, clock } = setup(2);
    await a.start(30);
    await a.tick();
    await settle();
    expect(a.isCounter()).toBe(true);
    await b.setFocused(true);
    await settle();
    expect(b.isCounter()).toBe(true);
    expect(a.isCounter()).toBe(false);
    clock.advance(1000);
    await a.tick(); // a does not grab it back while b is focused and alive
    await settle();
    expect(b.isCounter()).toBe(true);
  });

  it('a released lease is taken over on the next tick', async () => {
    const { a, b, clock } = setup(2);
    await a.start(30);
    await a.setFocused(true);
    await settle();
    await a.release();
    await settle();
    clock.advance(1000);
    await b.tick();
    expect(b.isCounter()).toBe(true);
  });

  it('even two windows crediting the same stretch at once cannot count a cycle twice', async () => {
    const { a, b, clock } = setup(2);
    const { session } = await a.start(30);
    await settle();
    clock.advance(5 * CHILL + 500);
    const [x, y] = await Promise.all([a.creditCycles(session.id), b.creditCycles(session.id)]);
    expect(x + y).toBe(5);
    await settle();
    expect(a.snapshot().xp).toBe(5);
    expect(a.session()?.cycles).toBe(5);
  });

  it('does not count hours when no window was there (VS Code closed with a session running)', async () => {
    const { a, clock } = setup();
    const { session } = await a.start(30);
    await meditate(a, clock, 30_000); // 2 cycles credited (28 s), 2 s into the third
    clock.advance(3 * 3_600_000);
    // Kept: the cycle in progress plus MAX_UNCOUNTED_MS (2 min) past the last credited cycle, 162 s in all.
    const kept = 2 * CHILL + CHILL + MAX_UNCOUNTED_MS;
    expect(a.session()?.activeMs).toBe(kept);
    expect(await a.creditCycles(session.id)).toBe(Math.floor((kept - 2 * CHILL) / CHILL));
    expect(a.snapshot().xp).toBe(2 + 9);
    await meditate(a, clock, CHILL);
    expect(a.snapshot().xp).toBe(12);
    const end = await a.end();
    expect(end.summary?.activeMs).toBe(kept + CHILL);
    expect(end.summary?.bonusXp).toBe(endBonus(kept + CHILL, 30));
    expect(a.snapshot().today.activeMs).toBe(kept + CHILL);
  });

  it('never trims time a live counter has yet to credit, even with 4-minute custom cycles', async () => {
    const { a, clock } = setup();
    const slow: BreathingPattern = { name: 'custom', inhale: 60, holdIn: 60, exhale: 60, holdOut: 60 };
    a.setPattern(slow);
    await a.start(30);
    await meditate(a, clock, 10 * MIN);
    expect(a.session()?.activeMs).toBe(10 * MIN);
    expect(a.snapshot().xp).toBe(2);
    const end = await a.end();
    expect(end.summary).toMatchObject({ activeMs: 10 * MIN, cycles: 2 });
  });

  it('a pause after a long absence keeps only the time a window was there for', async () => {
    const { a, clock } = setup();
    await a.start(30);
    await meditate(a, clock, 30_000);
    clock.advance(3_600_000);
    expect((await a.pause())?.activeMs).toBe(3 * CHILL + MAX_UNCOUNTED_MS);
    clock.advance(3_600_000);
    expect(a.session()?.activeMs).toBe(3 * CHILL + MAX_UNCOUNTED_MS);
  });
});

describe('streak and today', () => {
  it('counts a day once however many sessions and windows, and rolls over at midnight', async () => {
    const { a, b, clock } = setup(2);
    clock.set(new Date(2024, 5, 10, 23, 50));
    await a.start(5);
    clock.advance(2 * MIN);
    await a.end();
    await settle();
    await b.start(5);
    clock.advance(MIN);
    await b.end();
    await settle();
    expect(a.snapshot().streak).toMatchObject({ current: 1, lastDay: '2024-06-10', meditatedToday: true });
    expect(a.snapshot().today.sessions).toBe(2);
    clock.set(new Date(2024, 5, 11, 0, 5));
    // New day, nothing yet: today is empty, the streak is still alive (yesterday counts).
    expect(a.snapshot()).toMatchObject({ today: { day: '2024-06-11', sessions: 0, activeMs: 0 }, streak: { current: 1, meditatedToday: false } });
    await b.start(5);
    await settle();
    expect(a.snapshot().streak.current).toBe(2);
    clock.set(new Date(2024, 5, 13, 9, 0));
    expect(a.snapshot().streak).toMatchObject({ current: 0, longest: 2 });
  });

  it('a session running across midnight counts the new day once it earns there', async () => {
    const { a, clock } = setup();
    clock.set(new Date(2024, 5, 10, 23, 58));
    const { session } = await a.start(10);
    clock.set(new Date(2024, 5, 11, 0, 3));
    await a.creditCycles(session.id);
    expect(a.snapshot().streak).toMatchObject({ current: 2, lastDay: '2024-06-11' });
  });

  it('the refresh at midnight re-announces the snapshot', async () => {
    const { a } = setup();
    const seen: ProgressSnapshot[] = [];
    a.onDidChangeSnapshot((s) => seen.push(s));
    a.refresh();
    expect(seen).toHaveLength(1);
  });
});

describe('notifications appear in exactly one window', () => {
  it('level-up is announced only where the crossing commit happened', async () => {
    const { a, b, clock } = setup(2);
    const fast: BreathingPattern = { name: 'custom', inhale: 1, holdIn: 0, exhale: 1, holdOut: 0 }; // 2 s cycles
    a.setPattern(fast);
    b.setPattern(fast);
    const heard: Record<'a' | 'b', ProgressNotification[]> = { a: [], b: [] };
    a.onDidNotify((n) => heard.a.push(n));
    b.onDidNotify((n) => heard.b.push(n));
    await a.start(10);
    await b.setFocused(true);
    await settle();
    // Both windows tick for 98 s; b (focused) counts: 49 cycles, still level 1.
    for (let i = 0; i < 98; i++) {
      clock.advance(1000);
      await Promise.all([a.tick(), b.tick()]);
    }
    await settle();
    expect(a.snapshot().xp).toBe(49);
    // Ending in both at once crosses 50 with the bonus round(98/600 × 10 × 0.5) = 1: one window announces it.
    await Promise.all([a.end(), b.end()]);
    await settle();
    expect([...heard.a, ...heard.b]).toEqual([{ kind: 'levelUp', level: 2, title: 'Breathing Novice', xp: 50 }]);
    // Crossing by cycle credits is announced by the counting window only.
    await a.start(60);
    await settle();
    for (let i = 0; i < 400 && a.snapshot().xp < 150; i++) {
      clock.advance(1000);
      await Promise.all([a.tick(), b.tick()]);
    }
    expect(heard.b.at(-1)).toEqual({ kind: 'levelUp', level: 3, title: 'Calm Coder', xp: 150 });
    expect(heard.a).toEqual(heard.a.filter((n) => n.kind === 'levelUp' && n.level === 2));
    expect([...heard.a, ...heard.b].filter((n) => n.kind === 'levelUp')).toHaveLength(2);
  });

  it('a streak milestone is announced once', async () => {
    const { a, b, clock } = setup(2);
    const heard: ProgressNotification[] = [];
    a.onDidNotify((n) => heard.push(n));
    b.onDidNotify((n) => heard.push(n));
    for (let day = 1; day <= 3; day++) {
      clock.set(new Date(2024, 5, day, 8, 0));
      await Promise.all([a.start(5), b.start(5)]);
      await settle();
      clock.advance(MIN);
      await Promise.all([a.end(), b.end()]);
      await settle();
    }
    expect(heard.filter((n) => n.kind === 'streak')).toEqual([{ kind: 'streak', days: 3 }]);
  });
});

describe('snapshots follow every window', () => {
  it('fires in the other window on a remote change, with the new values readable', async () => {
    const { a, b } = setup(2);
    const seen: ProgressSnapshot[] = [];
    b.onDidChangeSnapshot((s) => seen.push(s));
    await a.start(10);
    await settle();
    expect(seen.at(-1)?.session?.goalMinutes).toBe(10);
  });

  it('survives garbage in the progress record', async () => {
    const hub = new FakeStoreHub();
    hub.seed(PROGRESS_KEY, { xp: 'lots', streak: [1, 2], session: { id: 7 }, recent: 'x', today: null });
    const clock = new FakeClock();
    const a = window(hub, clock, 'w1');
    expect(a.snapshot()).toMatchObject({ xp: 0, session: null, streak: { current: 0 } });
    expect((await a.start(5)).started).toBe(true);
  });
});

describe('legacy stats import', () => {
  const legacy = {
    totalXP: 420,
    currentStreak: 6,
    longestStreak: 11,
    todaySessionTime: 5 * MIN,
    totalMeditationTime: 300 * MIN,
    lastMeditationDate: new Date(2024, 5, 9).toDateString(),
    sessionsToday: 1,
    sessions: [{ startTime: new Date(2024, 5, 9, 8).toISOString(), duration: 5 * MIN }, { bogus: true }],
  };

  it('imports XP and streak exactly once, even from three windows at once', async () => {
    const { a, b, c, clock } = setup(3);
    clock.set(new Date(2024, 5, 10, 9, 0));
    const results = await Promise.all([a.importLegacy(legacy), b.importLegacy(legacy), c.importLegacy(legacy)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    await settle();
    const snap = a.snapshot();
    expect(snap.xp).toBe(420);
    expect(snap.level.level).toBe(4);
    expect(snap.streak).toMatchObject({ current: 6, longest: 11, lastDay: '2024-06-09' });
    expect(snap.totals.activeMs).toBe(300 * MIN);
    expect(a.history().sessions).toHaveLength(1);
    // Later activations: nothing more.
    expect(await b.importLegacy(legacy)).toBe(false);
    expect(a.snapshot().xp).toBe(420);
    // Meditating today extends the imported streak.
    await a.start(5);
    expect(a.snapshot().streak.current).toBe(7);
  });

  it('ignores absent or unrecognisable legacy data without marking anything', async () => {
    const { a } = setup();
    for (const raw of [undefined, null, 'x', [], { unrelated: 1 }]) expect(await a.importLegacy(raw)).toBe(false);
    expect(a.progress().legacyImported).toBe(false);
  });

  it('is not re-imported after a clear', async () => {
    const { a } = setup();
    await a.importLegacy(legacy);
    await a.clear();
    expect(await a.importLegacy(legacy)).toBe(false);
    expect(a.snapshot().xp).toBe(0);
  });
});

describe('export, import, clear', () => {
  async function earn(t: MeditationTracker, clock: FakeClock, minutes: number) {
    await t.start(minutes);
    clock.advance(minutes * MIN);
    return t.end();
  }

  it('exports JSON with a schema version, and importing it merges without doubling', async () => {
    const { a, clock } = setup();
    await earn(a, clock, 5);
    await earn(a, clock, 10);
    const exported = JSON.parse(JSON.stringify(a.exportData()));
    expect(exported).toMatchObject({ schemaVersion: 1, app: 'breath-master', progress: { xp: a.snapshot().xp } });
    expect(exported.sessions).toHaveLength(2);
    const xp = a.snapshot().xp;
    const r = await a.importData(JSON.stringify(exported));
    expect(r).toMatchObject({ ok: true, xpBefore: xp, xpAfter: xp, sessionsAdded: 0 });
  });

  it('merges another machine\'s data: XP is the larger, sessions are the union by id, the later streak wins', async () => {
    const { a, clock } = setup();
    await earn(a, clock, 5);
    const mine = a.snapshot();
    const other = {
      schemaVersion: 1,
      app: 'breath-master',
      progress: { xp: 1000, streak: { current: 9, longest: 12, lastDay: '2024-06-10' }, totals: { activeMs: 1, sessions: 40 } },
      sessions: [
        { id: 'x1', startedAt: mine.recent[0]!.startedAt - 86_400_000, endedAt: mine.recent[0]!.startedAt - 86_300_000, goalMinutes: 5, activeMs: 100, cycles: 0, bonusXp: 0 },
        { ...mine.recent[0] },
        { id: 'bad' },
      ],
    };
    const r = await a.importData(other);
    expect(r).toMatchObject({ ok: true, xpBefore: mine.xp, xpAfter: 1000, sessionsAdded: 1, skippedSessions: 1 });
    expect(a.snapshot()).toMatchObject({ xp: 1000, streak: { current: 9, longest: 12 }, totals: { sessions: 40 } });
    expect(a.history().sessions.map((s) => s.id).sort()).toEqual([mine.recent[0]?.id, 'x1'].sort());
    // A smaller XP never lowers ours.
    await a.importData({ ...other, progress: { ...other.progress, xp: 3 } });
    expect(a.snapshot().xp).toBe(1000);
  });

  it.each([
    ['not json', /not valid JSON/],
    ['[]', /does not contain/],
    ['{"app":"breath-master","schemaVersion":2,"progress":{"xp":1}}', /Unsupported export schemaVersion 2/],
    ['{"app":"breath-master","schemaVersion":1}', /no "progress"/],
    ['{"app":"breath-master","schemaVersion":1,"progress":{"xp":-5}}', /XP/],
    ['{"app":"breath-master","schemaVersion":1,"progress":{"xp":"9"}}', /XP/],
    ['{"app":"breath-master","schemaVersion":1,"progress":{"xp":1},"sessions":{}}', /not a list/],
    ['{"app":"breath-master","__proto__":{"schemaVersion":1},"progress":{"xp":1}}', /schemaVersion/],
    ['{"schemaVersion":1,"progress":{"xp":1}}', /not a Breath Master export/],
    ['{"app":"other-tool","schemaVersion":1,"progress":{"xp":1}}', /not a Breath Master export/],
    ['{"app":"breath-master","schemaVersion":1,"progress":{"xp":1e300}}', /more than anyone can earn/],
    ['{"app":"breath-master","schemaVersion":1,"progress":{"xp":1000001}}', /more than anyone can earn/],
    ['{"app":"breath-master","schemaVersion":1,"progress":{"xp":1,"totals":{"activeMs":1e300}}}', /far too large/],
    ['{"app":"breath-master","schemaVersion":1,"progress":{"xp":1,"streak":{"current":1e9,"longest":1e9,"lastDay":"2024-06-10"}}}', /far too large/],
    [JSON.stringify({ app: 'breath-master', schemaVersion: 1, progress: { xp: 1 }, pad: 'x'.repeat(2_000_001) }), /too large/],
  ])('rejects %s and changes nothing', async (text, error) => {
    const { a, hub } = setup();
    const r = await a.importData(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(error);
    expect(hub.commits).toBe(0);
  });

  it('refuses a session dated in the future (beyond a day of clock skew) or before VS Code existed, and imports nothing of the file', async () => {
    const { a, hub, clock } = setup();
    const day = 24 * 3_600_000;
    const session = (id: string, startedAt: number) => ({ id, startedAt, endedAt: startedAt + 60_000, goalMinutes: 5, activeMs: 60_000, cycles: 4, bonusXp: 0 });
    const file = (...sessions: object[]) => ({ schemaVersion: 1, app: 'breath-master', progress: { xp: 50 }, sessions: [session('fine', clock.now() - 3 * day), ...sessions] });
    for (const [startedAt, shown] of [[Date.UTC(2100, 0, 1, 9), '2100-01-01'], [clock.now() + 2 * day, new Date(clock.now() + 2 * day).toISOString().slice(0, 10)], [Date.UTC(1990, 5, 1), '1990-06-01']] as const) {
      const r = await a.importData(file(session('odd', startedAt)));
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error).toContain(shown);
        expect(r.error).toMatch(/in the future or long before/);
      }
    }
    expect(hub.commits).toBe(0);
    expect(a.snapshot().xp).toBe(0);
    expect(a.history().sessions).toEqual([]);
    // A machine whose clock runs an hour ahead exports sessions that ended "later" than now here: those are fine.
    const r = await a.importData(file(session('ahead', clock.now() + 3_600_000 - 60_000)));
    expect(r).toMatchObject({ ok: true, sessionsAdded: 2 });
  });

  it('clear resets progress, the session and history for every window', async () => {
    const { a, b, clock } = setup(2);
    await earn(a, clock, 5);
    await a.start(5);
    await settle();
    await b.clear();
    await settle();
    expect(a.snapshot()).toMatchObject({ xp: 0, session: null, recent: [], totals: { sessions: 0 } });
    expect(a.history().sessions).toEqual([]);
  });
});

describe('a session that vanished unrecorded', () => {
  it('Clear Data in one window is told to the others that knew its session (once), not to the window that cleared', async () => {
    const { a, b, c, clock } = setup(3);
    const told: Record<string, string[]> = { a: [], b: [], c: [] };
    a.onDidDiscardSession((e) => told.a?.push(e.sessionId));
    b.onDidDiscardSession((e) => told.b?.push(e.sessionId));
    c.onDidDiscardSession((e) => told.c?.push(e.sessionId));
    const { session } = await b.start(5);
    await settle();
    clock.advance(3 * CHILL);
    await a.clear();
    await settle();
    await a.clear();
    await settle();
    expect(told).toEqual({ a: [], b: [session.id], c: [session.id] });
  });

  it('is told too when this window learns of the clear through its own commit (its change feed behind)', async () => {
    const { a, b, clock, hub } = setup(2);
    const told: string[] = [];
    b.onDidDiscardSession((e) => told.push(e.sessionId));
    const { session } = await b.start(5);
    await settle();
    hub.deliverRemote = false; // b has not heard of the clear when it pauses
    await a.clear();
    clock.advance(3 * CHILL);
    expect(b.session()?.id).toBe(session.id);
    expect(await b.pause()).toBeNull();
    expect(told).toEqual([session.id]);
    hub.deliverRemote = true;
    hub.flush();
    await settle();
    expect(told).toEqual([session.id]);
  });

  it('a session ended (here, elsewhere, or paused too long) or replaced by a newer one after ending is not "discarded"', async () => {
    const { a, b, clock } = setup(2);
    const told: string[] = [];
    b.onDidDiscardSession((e) => told.push(e.sessionId));
    await a.start(5);
    await settle();
    clock.advance(3 * CHILL);
    await a.end();
    await a.start(5); // ended and a new one started before b heard of either
    await settle();
    await b.end();
    await settle();
    await a.start(5);
    await settle();
    await a.pause();
    await settle();
    clock.advance(5 * 3_600_000);
    await a.tick(); // paused for more than 4 hours: ended
    await settle();
    expect(b.session()).toBeNull();
    expect(told).toEqual([]);
  });
});

describe('a window with a stale view never writes it back', () => {
  it('changes build on the committed value, not on what the window last heard', async () => {
    const { a, b, clock, hub } = setup(2);
    const { session } = await a.start(30);
    await settle();
    expect(b.session()?.id).toBe(session.id);
    hub.deliverRemote = false; // b's change feed stalls: it keeps seeing the old record
    clock.advance(5 * CHILL);
    expect(await a.creditCycles(session.id)).toBe(5);
    await a.importData({ schemaVersion: 1, app: 'breath-master', progress: { xp: 100 } });
    expect(b.snapshot().xp).toBe(0);
    await b.importLegacy({ totalXP: 20, currentStreak: 1, lastMeditationDate: new Date(clock.now()).toDateString() });
    clock.advance(2 * CHILL);
    const ended = await b.end();
    hub.flush();
    // 2 cycles credited at the end + bonus round(98 s / 30 min × 15) = 1.
    expect(ended).toMatchObject({ ended: true, xpAwarded: 3 });
    // Read off the log: 100 (the import, a floor over what the log held: nothing yet) + 20 (legacy) + the session's
    // 7 cycles and 1 bonus (it ended after the import, so it counts whole). Both windows agree.
    expect(a.snapshot().xp).toBe(128);
    expect(b.snapshot().xp).toBe(128);
  });
});

describe('history', () => {
  it('keeps the last 500 sessions and summarises older ones', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const old = Array.from({ length: HISTORY_LIMIT - 3 }, (_, i) => ({ id: `old${i}`, startedAt: i, endedAt: i + 1, goalMinutes: 5, activeMs: 1000, cycles: 0, bonusXp: 0 }));
    hub.seed(HISTORY_KEY, { schema: 1, sessions: old, older: { sessions: 0, activeMs: 0, firstStartedAt: null } });
    const a = window(hub, clock, 'w1');
    for (let i = 0; i < 10; i++) {
      await a.start(1);
      clock.advance(30_000);
      await a.end();
    }
    const h = a.history();
    expect(h.sessions).toHaveLength(HISTORY_LIMIT);
    // The 7 oldest were summarised, not forgotten.
    expect(h.older).toEqual({ sessions: 7, activeMs: 7 * 1000, firstStartedAt: 0 });
    expect(h.sessions[0]?.id).toBe('old7');
    expect(h.sessions.at(-1)?.id).toBe(a.snapshot().recent.at(-1)?.id);
    expect(a.snapshot().recent).toHaveLength(10);
  });

  it('a window that ended a session but died before recording it is caught up by another', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    hub.seed(PROGRESS_KEY, {
      schema: 1,
      xp: 3,
      recent: [{ id: 'lost', startedAt: 1, endedAt: 2, goalMinutes: 5, activeMs: 60_000, cycles: 3, bonusXp: 0 }],
    });
    const a = window(hub, clock, 'w1');
    await settle();
    expect(a.history().sessions.map((s) => s.id)).toEqual(['lost']);
  });
});
