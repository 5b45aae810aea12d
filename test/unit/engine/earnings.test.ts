import { describe, expect, it } from 'vitest';
import { MeditationTracker, PATTERNS, PROGRESS_KEY, type RecordLogEntry } from '../../../src/engine';
import { BASE_GRANT_ID, readEarnings, type Grant } from '../../../src/engine/earnings';
import { EMPTY_PROGRESS } from '../../../src/engine/progressRecord';
import { FakeClock, FakeStoreHub } from './fakeStore';

let stamp = 0;
const entry = (id: string, data: unknown, writer = 'w1'): RecordLogEntry => ({ id, data, writer, stamp: String(++stamp).padStart(8, '0') });
const session = (id: string, cycles: number, bonusXp = 1, endedAt = 2_000_000_000_000) => ({ id, startedAt: endedAt - 60_000, endedAt, goalMinutes: 5, activeMs: 60_000, cycles, bonusXp });
const grant = (over: Partial<Grant>): Grant => ({ kind: 'grant', mode: 'add', xp: 0, totals: { activeMs: 0, sessions: 0 }, today: { day: null, activeMs: 0, sessions: 0 }, streak: { current: 0, longest: 0, lastDay: null }, covers: [], through: null, running: null, ...over });

describe('earnings read off the session log', () => {
  it('a session counts once however often its event is in the log (two windows, a retry)', () => {
    const e = readEarnings([entry(BASE_GRANT_ID, grant({})), entry('s1', { kind: 'session', session: session('s1', 5) }), entry('s1', { kind: 'session', session: session('s1', 5) }, 'w2'), entry('s2', { kind: 'session', session: session('s2', 3), xp: 0, tracked: false })]);
    expect(e.xp).toBe(6);
    expect(e.totals).toEqual({ activeMs: 120_000, sessions: 2 });
  });

  it('a grant holds the sessions it covers, wherever they stand in the log, and the running session\'s cycles it held', () => {
    const e = readEarnings([
      entry('s1', { kind: 'session', session: session('s1', 5) }),
      entry(BASE_GRANT_ID, grant({ xp: 100, totals: { activeMs: 1, sessions: 9 }, covers: ['s1', 's2'], through: 1_000, running: { id: 's3', cycles: 4 } })),
      entry('s2', { kind: 'session', session: session('s2', 5) }),
      entry('old', { kind: 'session', session: session('old', 50, 0, 500) }),
      entry('s3', { kind: 'session', session: session('s3', 10) }),
    ]);
    // 100 + s3's 10 cycles and 1 bonus, less the 4 cycles the grant held.
    expect(e.xp).toBe(107);
    expect(e.totals.sessions).toBe(10);
  });

  it('sessions from other machines, an Import and the legacy stats join the history but earn nothing here; an Import is a floor', () => {
    const e = readEarnings([
      entry(BASE_GRANT_ID, grant({ xp: 10 })),
      entry('r1', { kind: 'session', session: session('r1', 50), from: 'laptop' }),
      entry('i1', { kind: 'session', session: session('i1', 50), from: 'import' }),
      entry('breathMaster:import:1', grant({ mode: 'floor', xp: 40 })),
      entry('s1', { kind: 'session', session: session('s1', 2) }),
      entry('breathMaster:import:2', grant({ mode: 'floor', xp: 20 })),
    ]);
    expect(e.xp).toBe(43);
  });

  it('a legacy grant beside a migration that held the legacy stats already counts nothing', () => {
    const legacy = entry('breathMaster:legacy-grant', grant({ xp: 40 }));
    expect(readEarnings([entry(BASE_GRANT_ID, grant({ xp: 100, legacyImported: true })), legacy]).xp).toBe(100);
    expect(readEarnings([entry(BASE_GRANT_ID, grant({ xp: 100, legacyImported: false })), legacy]).xp).toBe(140);
  });

  it('only what follows the last clear counts; hostile values count as nothing', () => {
    const e = readEarnings([
      entry(BASE_GRANT_ID, grant({ xp: 500 })),
      entry('c', { kind: 'clear', at: 1 }),
      entry('s1', { kind: 'session', session: session('s1', 2) }),
      entry('bad', { kind: 'grant', mode: 'add', xp: -1e9, totals: 'x', covers: 'all' }),
      entry('bad2', { kind: 'session', session: { id: 'x' } }),
      entry('bad3', { kind: 'session', session: session('s9', 1), xp: Number.NaN }),
    ]);
    expect(e.migrated).toBe(true);
    expect(e.xp).toBe(3);
  });

  it('the XP a window shows never dips while another window\'s end is on its way to the log', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const [a, b] = ['a', 'b'].map((n) => new MeditationTracker(hub.open(n), { clock, pattern: PATTERNS.chill }));
    const shown: number[] = [];
    (a as MeditationTracker).onDidChangeSnapshot((s) => shown.push(s.xp));
    await (a as MeditationTracker).setFocused(true);
    await (a as MeditationTracker).start(5);
    for (let i = 0; i < 60; i++) {
      clock.advance(1000);
      await (a as MeditationTracker).tick();
    }
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
    const during = (a as MeditationTracker).snapshot().xp;
    expect(during).toBeGreaterThan(0);
    const ended = await (b as MeditationTracker).end();
    expect(ended.ended).toBe(true);
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
    const afterEnd = shown.slice(shown.indexOf(during));
    for (let i = 1; i < afterEnd.length; i++) expect(afterEnd[i]).toBeGreaterThanOrEqual(afterEnd[i - 1] as number);
    expect((a as MeditationTracker).snapshot().xp).toBe((a as MeditationTracker).progress().xp);
    a?.dispose();
    b?.dispose();
  });

  it('a Clear Data by a window of the earlier version (it empties the record, knows no log) is honoured: nothing cleared comes back', async () => {
    const hub = new FakeStoreHub();
    const clock = new FakeClock();
    const a = new MeditationTracker(hub.open('a'), { clock, pattern: PATTERNS.chill });
    await a.migrateProgress();
    await a.setFocused(true);
    await a.start(5);
    clock.advance(5 * 60_000);
    await a.tick();
    await a.end();
    expect(a.snapshot().xp).toBeGreaterThan(0);
    const older = hub.open('older-version');
    await older.update(PROGRESS_KEY, () => ({ ...EMPTY_PROGRESS, legacyImported: true }));
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
    expect(a.snapshot().xp).toBe(0);
    expect(a.history().sessions).toEqual([]);
    a.dispose();
  });
});
