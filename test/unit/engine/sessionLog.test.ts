import { afterEach, describe, expect, it } from 'vitest';
import {
  cycleMs,
  HISTORY_KEY,
  HISTORY_LIMIT,
  MeditationTracker,
  PATTERNS,
  PROGRESS_KEY,
  SESSIONS_KEY,
  type RecordLogEntry,
  type SessionSummary,
} from '../../../src/engine';
import { MIGRATED_EVENT_ID, OLDER_EVENT_ID, readSessionLog } from '../../../src/engine/sessionLog';
import { FakeClock, FakeStoreHub, type FakeStore } from './fakeStore';

const CHILL = cycleMs(PATTERNS.chill);

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
  const t = new MeditationTracker(store, { clock, pattern: PATTERNS.chill, newId: () => `id${++ids}` });
  trackers.push(t);
  return t;
}

const settle = () => new Promise<void>((r) => setTimeout(r, 0));

function summary(id: string, endedAt: number, activeMs = 60_000): SessionSummary {
  return { id, startedAt: endedAt - activeMs, endedAt, goalMinutes: 5, activeMs, cycles: 2, bonusXp: 1 };
}

function exportFile(sessions: SessionSummary[]) {
  return { schemaVersion: 1, app: 'breath-master', exportedAt: new Date(2024, 5, 10, 8).toISOString(), progress: { xp: 0 }, sessions };
}

/** Session events in the log (durable ones, every window's), ids not deduplicated. */
const sessionEvents = (hub: FakeStoreHub) => hub.logEvents(SESSIONS_KEY).filter((e) => (e.data as { kind: string }).kind === 'session');
const historyIds = (t: MeditationTracker) => t.history().sessions.map((s) => s.id);

describe('the session history on a log', () => {
  it('a session ended in two windows at once is kept once, in every window', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const [a, b] = [window(hub, clock, 'a'), window(hub, clock, 'b')];
    for (let round = 0; round < 5; round++) {
      const { session } = await (round % 2 === 0 ? a : b).start(5);
      await settle();
      clock.advance(2 * CHILL);
      const [ea, eb] = await Promise.all([a.end(), b.end()]);
      expect([ea.ended, eb.ended].filter(Boolean)).toHaveLength(1);
      await settle();
      expect(historyIds(a).filter((id) => id === session.id)).toHaveLength(1);
    }
    expect(historyIds(a)).toHaveLength(5);
    expect(historyIds(b)).toEqual(historyIds(a));
    expect(sessionEvents(hub)).toHaveLength(5);
  });

  it('an end recorded twice (the window that ended it and a catch-up elsewhere, both before hearing of the other) counts once', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const [a, b] = [window(hub, clock, 'a'), window(hub, clock, 'b')];
    await a.start(5);
    await settle();
    clock.advance(CHILL);
    hub.deliverRemote = false;
    await a.end();
    // b hears of the progress commit first (recent holds the session) and catches up before a's append reaches it.
    const b2 = window(hub, clock, 'b2'); // opens with the progress record, not a's append (held)
    await settle();
    hub.flush();
    hub.deliverRemote = true;
    await settle();
    expect(sessionEvents(hub).length).toBeGreaterThanOrEqual(1);
    for (const t of [a, b, b2]) expect(t.history().sessions).toHaveLength(1);
    expect(historyIds(b)).toEqual(historyIds(a));
  });

  it('appends from two windows that have not heard of each other are all kept, each once, in one order everywhere', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const [a, b] = [window(hub, clock, 'a'), window(hub, clock, 'b')];
    const t0 = clock.now();
    const mine = Array.from({ length: 30 }, (_, i) => summary(`a${i}`, t0 - 100_000 + i * 1000));
    const theirs = Array.from({ length: 30 }, (_, i) => summary(`b${i}`, t0 - 100_000 + i * 1000 + 500));
    const shared = Array.from({ length: 10 }, (_, i) => summary(`both${i}`, t0 - 50_000 + i * 1000));
    hub.deliverRemote = false;
    const [ra, rb] = await Promise.all([a.importData(exportFile([...mine, ...shared])), b.importData(exportFile([...theirs, ...shared]))]);
    expect(ra).toMatchObject({ ok: true, sessionsAdded: 40 });
    expect(rb).toMatchObject({ ok: true, sessionsAdded: 40 });
    hub.flush();
    hub.deliverRemote = true;
    await settle();
    expect(a.history().sessions).toHaveLength(70);
    expect(new Set(historyIds(a)).size).toBe(70);
    expect(historyIds(b)).toEqual(historyIds(a));
    const store = stores[0] as FakeStore;
    const order = (s: FakeStore) => s.log(SESSIONS_KEY).entries().map((e) => e.id);
    expect(order(stores[1] as FakeStore)).toEqual(order(store));
  });

  it('import adds the sessions the history lacks and says how many; other windows see them', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const [a, b] = [window(hub, clock, 'a'), window(hub, clock, 'b')];
    await a.start(5);
    clock.advance(CHILL);
    const ended = await a.end();
    const t = clock.now() - 3_600_000;
    const r = await a.importData(exportFile([summary('x1', t), summary('x2', t + 1000), summary('x2', t + 1000), ended.summary as SessionSummary]));
    expect(r).toMatchObject({ ok: true, sessionsAdded: 2 });
    await settle();
    expect(historyIds(b)).toEqual(['x1', 'x2', ended.summary?.id]);
    expect(await a.importData(exportFile([summary('x1', t)]))).toMatchObject({ ok: true, sessionsAdded: 0 });
  });

  it('history() is the newest 500 by end time, the rest summarised; cached until the log changes', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const a = window(hub, clock, 'a');
    const t0 = clock.now() - 10_000_000;
    await a.importData(exportFile(Array.from({ length: HISTORY_LIMIT + 20 }, (_, i) => summary(`s${i}`, t0 + i * 1000, 1000))));
    const h = a.history();
    expect(h.sessions).toHaveLength(HISTORY_LIMIT);
    expect(h.sessions[0]?.id).toBe('s20');
    expect(h.older).toEqual({ sessions: 20, activeMs: 20_000, firstStartedAt: t0 - 1000 });
    expect(a.history()).toBe(h);
    await a.importData(exportFile([summary('late', t0 + 10_000_000)]));
    expect(a.history()).not.toBe(h);
    expect(a.history().sessions.at(-1)?.id).toBe('late');
  });
});

describe('Clear Data and the session log', () => {
  it('empties the history in every window; sessions ended after it are kept', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const [a, b] = [window(hub, clock, 'a'), window(hub, clock, 'b')];
    await a.importData(exportFile([summary('x1', clock.now() - 60_000)]));
    await a.start(5);
    clock.advance(CHILL);
    await a.end();
    await settle();
    expect(b.history().sessions).toHaveLength(2);
    await b.clear();
    await settle();
    expect(a.history().sessions).toEqual([]);
    expect(a.history().older.sessions).toBe(0);
    clock.advance(1000);
    await a.start(5);
    clock.advance(CHILL);
    const { summary: after } = await a.end();
    await settle();
    expect(historyIds(b)).toEqual([after?.id]);
    // Importing the cleared sessions back (a backup) adds them again: after the clear they are new.
    expect(await b.importData(exportFile([summary('x1', clock.now() - 3_600_000)]))).toMatchObject({ ok: true, sessionsAdded: 1 });
    await settle();
    expect(historyIds(a)).toEqual(['x1', after?.id]);
  });

  it('a window that reads the clear before the cleared progress record does not bring the old sessions back', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const a = window(hub, clock, 'a');
    await a.start(5);
    clock.advance(CHILL);
    await a.end();
    await settle();
    // b opens with the old progress record cached (recent holds the session)...
    const bStore = hub.open('b');
    stores.push(bStore);
    bStore.get(PROGRESS_KEY);
    hub.deliverRemote = false;
    clock.advance(1000);
    await a.clear();
    // ...and the clear event in the log, read when it opens the log.
    const b = new MeditationTracker(bStore, { clock, pattern: PATTERNS.chill });
    trackers.push(b);
    expect(b.snapshot().recent).toHaveLength(1);
    await settle();
    hub.flush();
    hub.deliverRemote = true;
    await settle();
    expect(b.history().sessions).toEqual([]);
    expect(a.history().sessions).toEqual([]);
  });

  it('empties the earlier history record too (windows of the earlier version), without deleting it', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    hub.seed(HISTORY_KEY, { schema: 1, sessions: [summary('old1', clock.now() - 60_000)], older: { sessions: 3, activeMs: 9, firstStartedAt: 1 } });
    const a = window(hub, clock, 'a');
    await a.migrateHistory();
    expect(historyIds(a)).toEqual(['old1']);
    await a.clear();
    expect(hub.head(HISTORY_KEY)?.payload).toEqual({ schema: 1, sessions: [], older: { sessions: 0, activeMs: 0, firstStartedAt: null } });
    const late = window(hub, clock, 'late');
    await late.migrateHistory();
    expect(late.history().sessions).toEqual([]);
    expect(late.history().older.sessions).toBe(0);
  });
});

describe('migrating the earlier history record', () => {
  const oldRecord = (clock: FakeClock, n: number) => ({
    schema: 1,
    sessions: Array.from({ length: n }, (_, i) => summary(`old${i}`, clock.now() - (n - i) * 60_000, 30_000)),
    older: { sessions: 40, activeMs: 40 * 30_000, firstStartedAt: clock.now() - 100 * 86_400_000 },
  });

  it('copies its sessions and its older summary once, even with two windows migrating at once; the record stays', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const record = oldRecord(clock, HISTORY_LIMIT);
    hub.seed(HISTORY_KEY, record);
    const expected = { schema: 1, sessions: record.sessions, older: record.older };
    hub.deliverRemote = false; // neither hears of the other's appends while migrating
    const [a, b] = [window(hub, clock, 'a'), window(hub, clock, 'b')];
    // Shown at once, before the appends are durable.
    expect(a.history()).toEqual(expected);
    expect(await a.migrateHistory()).toBe(HISTORY_LIMIT + 1);
    expect(await b.migrateHistory()).toBe(HISTORY_LIMIT + 1);
    hub.flush();
    hub.deliverRemote = true;
    await settle();
    for (const t of [a, b]) expect(t.history()).toEqual(expected);
    const entries = (stores[0] as FakeStore).log(SESSIONS_KEY).entries();
    expect(entries.filter((e) => e.id === OLDER_EVENT_ID)).toHaveLength(1);
    expect(entries.filter((e) => e.id === MIGRATED_EVENT_ID)).toHaveLength(1);
    expect(hub.head(HISTORY_KEY)?.payload).toEqual(record);
    expect(hub.head(HISTORY_KEY)?.version).toBe(1);

    // Done: a window opened later copies nothing (no appends at all), and sees the same history.
    const appends = hub.appends;
    const c = window(hub, clock, 'c');
    expect(await c.migrateHistory()).toBe(0);
    await settle();
    expect(hub.appends).toBe(appends);
    expect(c.history()).toEqual(expected);
  });

  it('a migration cut short (no marker yet) is done again without doubling anything', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const record = oldRecord(clock, 10);
    hub.seed(HISTORY_KEY, record);
    // The first half of a migration made durable by a window that then died (before its marker).
    const dead = hub.open('dead');
    await Promise.all(record.sessions.slice(0, 5).map((s) => dead.log(SESSIONS_KEY).append(s.id, { kind: 'session', session: s })));
    const a = window(hub, clock, 'a');
    expect(await a.migrateHistory()).toBe(6); // 5 sessions + the summary
    expect(a.history()).toEqual({ schema: 1, sessions: record.sessions, older: record.older });
    expect(sessionEvents(hub)).toHaveLength(10);
  });

  it('then the new engine ends sessions on top, and the migrated ones are never re-added', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    hub.seed(HISTORY_KEY, oldRecord(clock, 3));
    const a = window(hub, clock, 'a');
    await a.migrateHistory();
    await a.start(5);
    clock.advance(CHILL);
    await a.end();
    expect(a.history().sessions).toHaveLength(4);
    expect(a.history().older.sessions).toBe(40);
  });
});

describe('readSessionLog', () => {
  it('5,000 session events: the history in a few milliseconds', () => {
    const t0 = Date.UTC(2024, 0, 1);
    const entries: RecordLogEntry[] = Array.from({ length: 5000 }, (_, i) => ({
      id: `s${i}`,
      data: { kind: 'session', session: summary(`s${i}`, t0 + i * 3_600_000, 600_000) },
      writer: `w${i % 3}`,
      stamp: String(i).padStart(12, '0'),
    }));
    const times: number[] = [];
    let h = readSessionLog(entries).history;
    for (let i = 0; i < 20; i++) {
      const start = performance.now();
      h = readSessionLog(entries).history;
      times.push(performance.now() - start);
    }
    times.sort((x, y) => x - y);
    console.log(`readSessionLog, 5,000 entries: median ${times[10]?.toFixed(2)} ms, max ${times.at(-1)?.toFixed(2)} ms`);
    expect(h.sessions).toHaveLength(HISTORY_LIMIT);
    expect(h.older.sessions).toBe(4500);
    expect(times[10]).toBeLessThan(50);
  });
});
