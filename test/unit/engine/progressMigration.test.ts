// XP, time, sessions and streak days read off the session log (earnings.ts), on the real store: a store written by
// the current release (0.2.0's engine itself, test/fixtures/release-0.2.0/engine.cjs) is migrated once, without
// loss, by two windows of this version at once — also while a window of the release goes on beside them.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { cycleMs, MeditationTracker, PATTERNS, SESSIONS_KEY } from '../../../src/engine';
import { BASE_GRANT_ID } from '../../../src/engine/earnings';
import { FakeClock } from './fakeStore';
import { afterTest, folder as tempFolder, openStore, openTracker } from './realStore';

const folder = () => tempFolder('bm-progress-migration-');

interface ReleaseTracker {
  setFocused(f: boolean): Promise<void>;
  setTracking(on: boolean): void;
  start(goal?: number): Promise<unknown>;
  tick(): Promise<number>;
  end(): Promise<{ ended: boolean; xpAwarded: number }>;
  importLegacy(raw: unknown): Promise<boolean>;
  importData(input: unknown): Promise<{ ok: boolean }>;
  progress(): { xp: number; totals: { activeMs: number; sessions: number }; streak: { current: number; longest: number; lastDay: string | null }; session: { cycles: number } | null };
  snapshot(): { xp: number; streak: { current: number; longest: number }; totals: { activeMs: number; sessions: number }; today: { activeMs: number; sessions: number } };
  dispose(): void;
}
const release = createRequire(__filename)('../../fixtures/release-0.2.0/engine.cjs') as {
  MeditationTracker: new (store: unknown, options: { clock: FakeClock; pattern: unknown }) => ReleaseTracker;
};

const CHILL = cycleMs(PATTERNS.chill);
const settle = (ms = 60) => new Promise<void>((r) => setTimeout(r, ms));
async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 20) {
    if (waited > 5_000) throw new Error(`timed out waiting for ${what}`);
    await settle(20);
  }
}

/** A session in a window of either version: focused, `cycles` breathing cycles counted as they complete, ended. */
async function meditate(t: ReleaseTracker | MeditationTracker, clock: FakeClock, cycles: number, end = true): Promise<void> {
  await t.setFocused(true);
  await t.start(10);
  for (let ms = 0; ms < cycles * CHILL; ms += 1000) {
    clock.advance(1000);
    await t.tick();
  }
  if (end) await t.end();
}

describe('progress read off the session log, migrated from the current release', () => {
  it('two windows of this version migrate a store the release wrote: the same XP, time, sessions and streak, counted once', async () => {
    const dir = folder();
    const clock = new FakeClock();
    const old = new release.MeditationTracker(openStore(dir, 'release'), { clock, pattern: PATTERNS.chill });
    afterTest(() => old.dispose());
    // A user of the release: the earlier extension's stats imported, three days of sessions, one with tracking off,
    // an Import, and a session running with cycles already credited.
    expect(await old.importLegacy({ totalXP: 40, currentStreak: 2, longestStreak: 5, lastMeditationDate: new Date(clock.now()).toDateString(), totalMeditationMinutes: 30 })).toBe(true);
    for (let day = 0; day < 3; day++) {
      await meditate(old, clock, 6 + day);
      clock.advance(24 * 3_600_000 - 6 * CHILL);
    }
    old.setTracking(false);
    await meditate(old, clock, 3);
    old.setTracking(true);
    expect((await old.importData({ schemaVersion: 1, app: 'breath-master', progress: { xp: 20, totals: { activeMs: 0, sessions: 0 } } })).ok).toBe(true);
    await meditate(old, clock, 4, false);
    await settle();
    const written = old.progress();
    expect(written.session?.cycles).toBe(4);
    const shown = old.snapshot();
    expect(shown.xp).toBeGreaterThan(40);

    // Two windows of this version open at once (the release's window stays open beside them).
    const [a, b] = [openTracker(openStore(dir, 'new-1'), clock), openTracker(openStore(dir, 'new-2'), clock)];
    await Promise.all([a.migrateProgress(), b.migrateProgress()]);
    await settle();
    for (const t of [a, b]) {
      const s = t.snapshot();
      expect(s.xp).toBe(shown.xp);
      expect(s.totals).toEqual(shown.totals);
      expect(s.today).toMatchObject({ activeMs: shown.today.activeMs, sessions: shown.today.sessions });
      expect(s.streak).toMatchObject({ current: shown.streak.current, longest: shown.streak.longest });
    }
    // One grant in the log, however many windows migrated.
    const log = openStore(dir, 'reader').log(SESSIONS_KEY).entries();
    expect(log.filter((e) => e.id === BASE_GRANT_ID)).toHaveLength(1);

    // The running session goes on in this version: its cycles before the migration count once, the rest on top.
    clock.advance(3 * CHILL);
    await a.setFocused(true);
    await a.tick();
    const ended = await a.end();
    expect(ended.ended).toBe(true);
    const afterEnd = a.snapshot().xp;
    await until(() => b.snapshot().xp === afterEnd, 'the end seen by b');
    console.log(`[migration] release showed ${shown.xp} XP, ${shown.totals.sessions} sessions, streak ${shown.streak.current}; after the running session ended here: ${afterEnd} XP`);
    expect(afterEnd).toBe(old.progress().xp);
    expect(b.snapshot().xp).toBe(afterEnd);

    // The release's window ends a session of its own (it writes only the record): caught up into the log, once.
    await meditate(old, clock, 5);
    await until(() => a.snapshot().xp === old.progress().xp && b.snapshot().xp === old.progress().xp, 'the release window\'s session counted');
    await settle(200);
    expect(a.snapshot().xp).toBe(old.progress().xp);
    expect(a.snapshot().totals).toEqual(old.progress().totals);

    // A later window (after everything closed) reads the same, and migrates nothing again.
    const later = openTracker(openStore(dir, 'later'), clock);
    expect(await later.migrateProgress()).toBe(false);
    expect(later.snapshot().xp).toBe(old.progress().xp);
  }, 60_000);

  it('a store the release never wrote to (a new user) and one the release cleared: nothing but what happens next', async () => {
    const dir = folder();
    const clock = new FakeClock();
    const old = new release.MeditationTracker(openStore(dir, 'release'), { clock, pattern: PATTERNS.chill });
    afterTest(() => old.dispose());
    const fresh = openTracker(openStore(folder(), 'fresh'), clock);
    await fresh.migrateProgress();
    expect(fresh.snapshot().xp).toBe(0);
    await meditate(fresh, clock, 3);
    expect(fresh.snapshot().xp).toBe(fresh.progress().xp);

    await meditate(old, clock, 4);
    await (old as unknown as { clear(): Promise<void> }).clear();
    await meditate(old, clock, 2);
    const a = openTracker(openStore(dir, 'new'), clock);
    await a.migrateProgress();
    await settle();
    expect(a.snapshot().xp).toBe(old.progress().xp);
    expect(a.snapshot().totals.sessions).toBe(1);
  }, 60_000);
});
