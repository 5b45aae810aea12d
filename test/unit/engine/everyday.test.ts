import { afterEach, describe, expect, it } from 'vitest';
import {
  cycleMs,
  HISTORY_KEY,
  HISTORY_LIMIT,
  markMeditationDay,
  MeditationTracker,
  PATTERNS,
  PRESENCE_KEY,
  PROGRESS_KEY,
  type SessionView,
} from '../../../src/engine';
import { PAUSED_EXPIRY_MS } from '../../../src/engine/session';
import { StoreError } from '@breath-master/store';
import { FakeClock, FakeStoreHub, type FakeStore } from './fakeStore';

const MIN = 60_000;
const CHILL = cycleMs(PATTERNS.chill);
const trackers: MeditationTracker[] = [];
afterEach(() => {
  for (const t of trackers.splice(0)) t.dispose();
});
const settle = () => new Promise<void>((r) => setTimeout(r, 0));

function open(hub: FakeStoreHub, clock: FakeClock, name: string, store: FakeStore = hub.open(name)): MeditationTracker {
  const t = new MeditationTracker(store, { clock, pattern: PATTERNS.chill, newId: () => `${name}-${trackers.length}-${clock.now()}` });
  trackers.push(t);
  return t;
}

async function meditate(ts: MeditationTracker[], clock: FakeClock, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 1000) {
    clock.advance(Math.min(1000, left));
    for (const t of ts) await t.tick();
    await settle();
  }
}

describe('a session that reaches its goal', () => {
  it('is announced once, by the focused window only, however many windows tick', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const [a, b, c] = ['a', 'b', 'c'].map((n) => open(hub, clock, n)) as [MeditationTracker, MeditationTracker, MeditationTracker];
    const heard: Record<string, SessionView[]> = { a: [], b: [], c: [] };
    a.onDidReachGoal((s) => heard.a?.push(s));
    b.onDidReachGoal((s) => heard.b?.push(s));
    c.onDidReachGoal((s) => heard.c?.push(s));
    await a.start(1);
    await settle();
    await b.setFocused(true);
    await meditate([a, b, c], clock, 59_000);
    expect(heard).toEqual({ a: [], b: [], c: [] });
    await meditate([a, b, c], clock, 5_000);
    expect(heard.b).toHaveLength(1);
    expect(heard.b?.[0]).toMatchObject({ goalReached: true, goalAnnounced: true, goalMinutes: 1 });
    await meditate([a, b, c], clock, 30_000);
    expect([heard.a?.length, heard.b?.length, heard.c?.length]).toEqual([0, 1, 0]);
    expect(a.session()?.goalAnnounced).toBe(true);
  });

  it('with no window focused, the counting window announces it', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const [a, b] = ['a', 'b'].map((n) => open(hub, clock, n)) as [MeditationTracker, MeditationTracker];
    let count = 0;
    a.onDidReachGoal(() => count++);
    b.onDidReachGoal(() => count++);
    await a.start(1);
    await settle();
    await meditate([a, b], clock, 70_000);
    expect(count).toBe(1);
    const holder = (hub.head(PRESENCE_KEY)?.payload as { holder: string }).holder;
    expect(['a', 'b']).toContain(holder);
  });
});

describe('a forgotten paused session', () => {
  it('ends by itself after 4 hours paused, with the time it had, recorded once', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const [a, b] = ['a', 'b'].map((n) => open(hub, clock, n)) as [MeditationTracker, MeditationTracker];
    await a.start(10);
    await meditate([a], clock, 2 * MIN);
    await a.pause();
    await settle();
    clock.advance(PAUSED_EXPIRY_MS - 1000);
    await a.tick();
    await b.tick();
    expect(a.session()?.state).toBe('paused');
    clock.advance(1000);
    await Promise.all([a.tick(), b.tick()]);
    await settle();
    expect(a.session()).toBeNull();
    expect(b.session()).toBeNull();
    expect(a.snapshot().recent).toHaveLength(1);
    expect(a.snapshot().recent[0]?.activeMs).toBe(2 * MIN);
    expect(a.history().sessions).toHaveLength(1);
  });
});

describe('tracking off means off', () => {
  it('no cycle XP, no streak day, no bonus; the session still counts time and is recorded', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const a = open(hub, clock, 'a');
    a.setTracking(false);
    await a.setFocused(true);
    await a.start(5);
    await meditate([a], clock, 5 * MIN);
    expect(a.session()?.activeMs).toBe(5 * MIN); // not trimmed as "uncounted"
    const ended = await a.end();
    expect(ended).toMatchObject({ ended: true, xpAwarded: 0, tracking: false });
    expect(a.snapshot()).toMatchObject({ xp: 0, streak: { current: 0, lastDay: null }, totals: { sessions: 1, activeMs: 5 * MIN } });
    expect(a.snapshot().recent[0]?.cycles).toBe(Math.floor((5 * MIN) / CHILL));
    // Turned on again: earns as before.
    a.setTracking(true);
    await a.start(5);
    await meditate([a], clock, 2 * CHILL);
    expect(a.snapshot().xp).toBe(2);
    expect(a.snapshot().streak.current).toBe(1);
  });
});

describe('a far-future date', () => {
  it('does not freeze the streak: meditating today restarts it at 1 (one day ahead is still tolerated)', () => {
    const future = { current: 4, longest: 6, lastDay: '2999-12-31' };
    expect(markMeditationDay(future, '2024-06-10')).toEqual({ current: 1, longest: 6, lastDay: '2024-06-10' });
    const tomorrow = { current: 4, longest: 6, lastDay: '2024-06-11' };
    expect(markMeditationDay(tomorrow, '2024-06-10')).toBe(tomorrow);
  });

  it('an imported streak dated 2999 is dropped, the longest kept, and the next session starts a streak', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const a = open(hub, clock, 'a');
    const r = await a.importData({ schemaVersion: 1, app: 'breath-master', progress: { xp: 10, streak: { current: 3, longest: 8, lastDay: '2999-12-31' } } });
    expect(r.ok).toBe(true);
    expect(a.snapshot().streak).toMatchObject({ current: 0, longest: 8, lastDay: null });
    await a.setFocused(true);
    await a.start(5);
    expect(a.snapshot().streak.current).toBe(1);
  });

  it('a stored streak dated a year ahead (clock was wrong) restarts on the next meditation', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    hub.seed(PROGRESS_KEY, { schema: 1, xp: 5, streak: { current: 2, longest: 2, lastDay: '2025-06-10' } });
    const a = open(hub, clock, 'a');
    expect(a.snapshot().streak.current).toBe(0);
    await a.start(5);
    expect(a.snapshot().streak).toMatchObject({ current: 1, lastDay: '2024-06-10' });
  });
});

describe('a full history', () => {
  it('is not rewritten on every remote progress commit for a recent session older than its oldest', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const t0 = clock.now();
    const full = Array.from({ length: HISTORY_LIMIT }, (_, i) => ({ id: `h${i}`, startedAt: t0 + i * 1000, endedAt: t0 + i * 1000 + 500, goalMinutes: 5, activeMs: 500, cycles: 0, bonusXp: 0 }));
    hub.seed(HISTORY_KEY, { schema: 1, sessions: full, older: { sessions: 2, activeMs: 0, firstStartedAt: 0 } });
    hub.seed(PROGRESS_KEY, { schema: 1, xp: 1, recent: [{ id: 'early', startedAt: t0 - 10_000, endedAt: t0 - 5_000, goalMinutes: 5, activeMs: 1000, cycles: 0, bonusXp: 0 }] });
    const a = open(hub, clock, 'a');
    const other = hub.open('b');
    await settle();
    const before = hub.head(HISTORY_KEY)?.version;
    const appends = hub.appends;
    for (let i = 0; i < 10; i++) {
      await other.update<{ xp: number }>(PROGRESS_KEY, (p) => ({ ...p, xp: p.xp + 1 }));
      await settle();
    }
    // Heard (the record's XP; what is shown is read off the log, which a bare record edit earns nothing in).
    expect(a.progress().xp).toBe(11);
    expect(hub.appends).toBe(appends);
    expect(hub.head(HISTORY_KEY)?.version).toBe(before);
    // Migrated into the log: the 500 sessions and the summary of 2; 'early' (summarised already) is not added to it.
    expect(a.history().older.sessions).toBe(2);
    expect(a.history().sessions).toHaveLength(HISTORY_LIMIT);
    expect(a.history().sessions.some((s) => s.id === 'early')).toBe(false);
  });
});

describe('focus without a session', () => {
  it('is not a store commit', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const [a, b] = ['a', 'b'].map((n) => open(hub, clock, n)) as [MeditationTracker, MeditationTracker];
    for (let i = 0; i < 10; i++) {
      await a.setFocused(i % 2 === 0);
      await b.setFocused(i % 2 === 1);
      clock.advance(1000);
      await a.tick();
      await b.tick();
    }
    expect(hub.commits).toBe(0);
    // With a session, the focused window takes the lease at once.
    await a.start(5);
    await settle();
    await b.setFocused(true);
    expect((hub.head(PRESENCE_KEY)?.payload as { holder: string }).holder).toBe('b');
  });
});

/** A store whose next update of `key` commits and then fails as the real store reports an undecided fsync. */
class UncertainStore {
  failNext = false;
  refreshes = 0;
  updates = 0;
  constructor(readonly inner: FakeStore, private readonly key: string, private readonly applied: true | 'unknown') {}
  get clientId(): string { return this.inner.clientId; }
  get onDidChange(): FakeStore['onDidChange'] { return this.inner.onDidChange; }
  get<T>(key: string, d?: T) { return this.inner.get<T>(key, d); }
  log(key: string) { return this.inner.log(key); }
  async update<T>(key: string, updater: (c: T) => T, d?: T) {
    this.updates++;
    const r = await this.inner.update<T>(key, updater, d);
    if (key === this.key && this.failNext) {
      this.failNext = false;
      throw new StoreError('fsync failed', { key, applied: this.applied });
    }
    return r;
  }
  async refresh(): Promise<void> {
    this.refreshes++;
  }
}

describe('an update that may have been committed', () => {
  it.each([true, 'unknown'] as const)('(applied: %s) is never re-issued before the store was read afresh, and XP counts once', async (applied) => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const store = new UncertainStore(hub.open('a'), PROGRESS_KEY, applied);
    const a = new MeditationTracker(store as never, { clock, pattern: PATTERNS.chill });
    trackers.push(a);
    await a.setFocused(true);
    await a.start(10);
    clock.advance(CHILL);
    store.failNext = true;
    await expect(a.tick()).rejects.toThrow('fsync failed');
    const updatesAfterFailure = store.updates;
    clock.advance(1000);
    expect(await a.tick()).toBe(0);
    expect(store.refreshes).toBe(1);
    expect(store.updates).toBe(updatesAfterFailure); // nothing re-issued in the tick that refreshed
    clock.advance(1000);
    await a.tick();
    expect(a.snapshot().xp).toBe(1);
  });

  it('a failure that committed nothing (applied: false) is simply tried on the next tick', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const store = new UncertainStore(hub.open('a'), PROGRESS_KEY, 'unknown');
    const a = new MeditationTracker(store as never, { clock, pattern: PATTERNS.chill });
    trackers.push(a);
    await a.start(10);
    const inner = store.inner;
    const original = inner.update.bind(inner);
    let fail = true;
    inner.update = (async (...args: Parameters<FakeStore['update']>) => {
      if (fail && args[0] === PROGRESS_KEY) {
        fail = false;
        throw new StoreError('disk full', { key: PROGRESS_KEY, applied: false });
      }
      return original(...args);
    }) as FakeStore['update'];
    clock.advance(CHILL);
    await expect(a.tick()).rejects.toThrow('disk full');
    clock.advance(1000);
    expect(await a.tick()).toBe(1);
    expect(store.refreshes).toBe(0);
  });
});
