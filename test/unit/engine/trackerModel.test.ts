import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endBonus, MeditationTracker, PATTERNS } from '../../../src/engine';
import { FakeClock, FakeStoreHub } from './fakeStore';

type Op =
  | { kind: 'start' | 'pause' | 'resume' | 'end' | 'tick' | 'focus'; who: 0 | 1 | 'both' }
  | { kind: 'advance'; ms: number }
  | { kind: 'flush' };

const who = fc.constantFrom<0 | 1 | 'both'>(0, 1, 'both');
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('start', 'pause', 'resume', 'end', 'tick', 'focus') as fc.Arbitrary<'start'>, who }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 400_000 })) }),
  fc.constant({ kind: 'flush' as const }),
);

describe('two windows doing anything in any order (model property)', () => {
  it('XP always equals the cycles and bonuses of the recorded sessions plus the running one, in the record and read off the log; nothing counted twice', async () => {
    let totalEnds = 0;
    let maxXp = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 15, maxLength: 40 }), fc.boolean(), async (ops, slowFeed) => {
        const hub = new FakeStoreHub();
        hub.deliverRemote = !slowFeed;
        const clock = new FakeClock();
        let n = 0;
        const windows = [0, 1].map((i) => new MeditationTracker(hub.open(`w${i}`), { clock, pattern: i === 0 ? PATTERNS.chill : PATTERNS.active, newId: () => `s${++n}` }));
        const act = (w: MeditationTracker, kind: string): Promise<unknown> => {
          switch (kind) {
            case 'start':
              return w.start(1 + (n % 7));
            case 'pause':
              return w.pause();
            case 'resume':
              return w.resume();
            case 'end':
              return w.end();
            case 'focus':
              return w.setFocused(true);
            default:
              return w.tick();
          }
        };
        let ends = 0;
        let xpSeen = 0;
        for (const o of ops) {
          if (o.kind === 'advance') clock.advance(o.ms);
          else if (o.kind === 'flush') hub.flush();
          else {
            const targets = o.who === 'both' ? windows : [windows[o.who] as MeditationTracker];
            const results = await Promise.all(targets.map((w) => act(w, o.kind)));
            if (o.kind === 'end') ends += results.filter((r) => (r as { ended: boolean }).ended).length;
          }
          // Check the truth, as any window sees it once its change feed has delivered.
          hub.flush();
          await new Promise<void>((r) => queueMicrotask(r));
          const p = (windows[0] as MeditationTracker).progress();
          const recorded = (windows[0] as MeditationTracker).history().sessions;
          xpSeen = Math.max(xpSeen, p.xp);
          expect(new Set(recorded.map((s) => s.id)).size).toBe(recorded.length);
          expect(p.totals.sessions).toBe(recorded.length);
          expect(recorded.length).toBe(ends);
          for (const s of recorded) expect(s.bonusXp).toBe(endBonus(s.activeMs, s.goalMinutes));
          const earned = recorded.reduce((sum, s) => sum + s.cycles + s.bonusXp, 0) + (p.session?.cycles ?? 0);
          expect(p.xp).toBe(earned);
          // What every window shows is read off the session log (each session counted once by its id, the running one
          // from the record): the same number, in both windows.
          for (const w of windows) expect(w.snapshot().xp).toBe(earned);
          expect((windows[1] as MeditationTracker).snapshot().totals).toEqual(p.totals);
          if (p.session) expect(p.session.creditedMs).toBeLessThanOrEqual(p.session.accumulatedActiveMs + Math.max(0, clock.now() - (p.session.runningSince ?? clock.now())));
        }
        for (const w of windows) w.dispose();
        totalEnds += ends;
        maxXp = Math.max(maxXp, xpSeen);
      }),
      { numRuns: 100 },
    );
    // The runs really ended sessions and earned XP (the property is not vacuous).
    expect(totalEnds).toBeGreaterThan(10);
    expect(maxXp).toBeGreaterThan(5);
    console.log(`[model] ${totalEnds} sessions ended, up to ${maxXp} XP in one run`);
  });
});
