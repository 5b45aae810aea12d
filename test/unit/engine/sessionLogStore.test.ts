// The session log on the real store (packages/store, real files): the history a user has today — the
// `breathMaster.history` record as the current release writes it — is migrated into the log without loss, and
// history() stays fast on a long log.
import { describe, expect, it } from 'vitest';
import { HISTORY_KEY, HISTORY_LIMIT, MeditationTracker, PROGRESS_KEY, SESSIONS_KEY, type SessionSummary } from '../../../src/engine';
import { appendHistory, normalizeHistory, RECENT_LIMIT } from '../../../src/engine/progressRecord';
import { FakeClock } from './fakeStore';
import { folder as tempFolder, openStore, openTracker } from './realStore';

const folder = () => tempFolder('bm-session-log-');


function summary(id: string, endedAt: number, activeMs: number): SessionSummary {
  return { id, startedAt: endedAt - activeMs, endedAt, goalMinutes: 10, activeMs, cycles: Math.floor(activeMs / 14_000), bonusXp: 3 };
}

const settle = (ms = 50) => new Promise<void>((r) => setTimeout(r, ms));

describe('the session log on the real store', () => {
  it('migrates the history record the current release wrote: the same sessions and summary, the record left as it was', async () => {
    const dir = folder();
    const clock = new FakeClock();
    // As the current release writes it: one compare-and-set per ended session (appendHistory on the normalised
    // record), the progress record's recent list beside it. 530 sessions: 30 summarised into `older`.
    const release = openStore(dir, 'old-release');
    const sessions = Array.from({ length: HISTORY_LIMIT + 30 }, (_, i) => summary(`session-${i}`, clock.now() - (600 - i) * 3_600_000, 300_000 + i));
    for (const s of sessions) await release.update<unknown>(HISTORY_KEY, (cur) => appendHistory(normalizeHistory(cur), [s]));
    await release.update<unknown>(PROGRESS_KEY, () => ({ schema: 1, xp: 1234, recent: sessions.slice(-RECENT_LIMIT) }));
    const written = release.get<unknown>(HISTORY_KEY);
    const expected = normalizeHistory(written.payload);
    expect(expected.sessions).toHaveLength(HISTORY_LIMIT);
    expect(expected.older.sessions).toBe(30);
    await release.dispose();

    // Two windows of the new version start at once on it.
    const [s1, s2] = [openStore(dir, 'new-1'), openStore(dir, 'new-2')];
    const [a, b] = [openTracker(s1, clock), openTracker(s2, clock)];
    expect(a.history()).toEqual(expected);
    await Promise.all([a.migrateHistory(), b.migrateHistory()]);
    await settle();
    for (const t of [a, b]) expect(t.history()).toEqual(expected);
    // Nothing doubled in the log either: each migrated session once (ids dedupe across the two writers).
    const entries = s1.log(SESSIONS_KEY).entries();
    expect(entries.filter((e) => (e.data as { kind: string }).kind === 'session')).toHaveLength(HISTORY_LIMIT);
    // The record is still there, unchanged, for windows of the earlier version.
    expect(s1.get<unknown>(HISTORY_KEY)).toMatchObject({ version: written.version, payload: written.payload });

    // A session ended now is added on top; a later window (after both closed) reads the same and migrates nothing.
    await a.start(5);
    clock.advance(60_000);
    const ended = await a.end();
    await Promise.all([s1.dispose(), s2.dispose()]);
    const later = openTracker(openStore(dir, 'new-3'), clock);
    expect(await later.migrateHistory()).toBe(0);
    expect(later.history().sessions).toHaveLength(HISTORY_LIMIT);
    expect(later.history().sessions.at(-1)?.id).toBe(ended.summary?.id);
    expect(later.history().older.sessions).toBe(31);
  }, 60_000);

  it('history() on 5,000 sessions: computed in milliseconds, then cached until the log changes', async () => {
    const dir = folder();
    const clock = new FakeClock();
    const writer = openTracker(openStore(dir, 'writer'), clock);
    const t0 = clock.now() - 5001 * 3_600_000;
    const all = Array.from({ length: 5000 }, (_, i) => summary(`s${i}`, t0 + i * 3_600_000, 600_000));
    const file = { schemaVersion: 1, app: 'breath-master', exportedAt: new Date(clock.now() - 1000).toISOString(), progress: { xp: 0 }, sessions: all };
    expect(await writer.importData(file)).toMatchObject({ ok: true, sessionsAdded: 5000 });

    const time = (f: () => unknown) => {
      const start = performance.now();
      f();
      return performance.now() - start;
    };
    // Another window opening on the 5,000 events of the writer's file: the store reads and orders them, the tracker
    // computes the history once (its migration check and catch-up need it).
    let reader: MeditationTracker | undefined;
    const readerStore = openStore(dir, 'reader');
    const open = time(() => (reader = openTracker(readerStore, clock)));
    if (!reader) throw new Error('unreachable');
    const r = reader;
    const cold = time(() => r.history());
    const warm: number[] = [];
    for (let i = 0; i < 100; i++) warm.push(time(() => r.history()));
    warm.sort((x, y) => x - y);
    // After each change (one more session, appended by the other window): the store merges its entries again, the
    // history is computed again, once.
    const changed: number[] = [];
    const merged: number[] = [];
    for (let i = 0; i < 7; i++) {
      await writer.importData({ ...file, sessions: [summary(`more-${i}`, clock.now() - 60_000 + i, 60_000)] });
      await settle(100);
      merged.push(time(() => readerStore.log(SESSIONS_KEY).entries()));
      changed.push(time(() => r.history()));
    }
    changed.sort((x, y) => x - y);
    merged.sort((x, y) => x - y);
    console.log(
      `history() on 5,000 sessions (real store): opening the window ${open.toFixed(1)} ms; then cached ${cold.toFixed(4)} ms, median ${warm[50]?.toFixed(4)} ms; ` +
        `after a change: the store's entries() median ${merged[3]?.toFixed(1)} ms (max ${merged[6]?.toFixed(1)}), then history() median ${changed[3]?.toFixed(1)} ms (max ${changed[6]?.toFixed(1)})`,
    );
    const h = r.history();
    expect(h.sessions).toHaveLength(HISTORY_LIMIT);
    expect(h.older.sessions).toBe(4507);
    expect(h.sessions.at(-1)?.id).toBe('more-6');
    expect(changed[3]).toBeLessThan(100);
    expect(warm[50]).toBeLessThan(0.1);
  }, 60_000);
});
