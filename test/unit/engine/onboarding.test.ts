import { describe, expect, it } from 'vitest';
import { ONBOARDING_KEY, OnboardingManager, type OnboardingState } from '../../../src/engine';
import { FakeClock, FakeStoreHub } from './fakeStore';

function windows(n: number, hub = new FakeStoreHub()) {
  const clock = new FakeClock();
  return { hub, clock, managers: Array.from({ length: n }, (_, i) => new OnboardingManager(hub.open(`w${i + 1}`), { clock })) };
}

const settle = () => new Promise<void>((r) => setTimeout(r, 0));

describe('welcome', () => {
  it('is claimed by exactly one of three windows starting together, and never again', async () => {
    const { managers, hub, clock } = windows(3);
    const claims = await Promise.all(managers.map((m) => m.claimWelcome()));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(hub.conflicts).toBeGreaterThan(0);
    const winner = claims.indexOf(true);
    expect(hub.head(ONBOARDING_KEY)?.payload).toMatchObject({ welcomeClaimedBy: `w${winner + 1}` });
    await settle();
    expect(await Promise.all(managers.map((m) => m.claimWelcome()))).toEqual([false, false, false]);
    // A window opened later (a reload) is not welcomed either.
    expect(await new OnboardingManager(hub.open('w4'), { clock }).claimWelcome()).toBe(false);
  });

  it('a welcome never answered (its window closed, Do Not Disturb) is offered again by the next window; answered, never', async () => {
    const { managers, hub, clock } = windows(2);
    const [a, b] = managers as [OnboardingManager, OnboardingManager];
    expect(await a.claimWelcome()).toBe(true);
    await settle();
    expect(await b.claimWelcome()).toBe(false); // a shows it
    await a.releaseWelcome(); // a closes with it unanswered
    await settle();
    expect(await b.claimWelcome()).toBe(true);
    await b.completeWelcome();
    await b.releaseWelcome(); // answered: releasing changes nothing
    await settle();
    clock.advance(48 * 3_600_000);
    expect(await a.claimWelcome()).toBe(false);
    expect(await new OnboardingManager(hub.open('w3'), { clock }).claimWelcome()).toBe(false);
  });

  it('a claim of a window that crashed expires after 12 hours; the welcome is offered at most 3 times', async () => {
    const { managers, clock } = windows(2);
    const [a, b] = managers as [OnboardingManager, OnboardingManager];
    expect(await a.claimWelcome()).toBe(true);
    await settle();
    clock.advance(11 * 3_600_000);
    expect(await b.claimWelcome()).toBe(false);
    clock.advance(1 * 3_600_000);
    expect(await b.claimWelcome()).toBe(true);
    await b.releaseWelcome();
    await settle();
    expect(await a.claimWelcome()).toBe(true); // the third showing
    await a.releaseWelcome();
    await settle();
    expect(await b.claimWelcome()).toBe(false);
    expect(b.state().welcomeShows).toBe(3);
  });

  it('a record of the earlier layout that was claimed but never answered is offered again once its claim is old', async () => {
    const hub = new FakeStoreHub();
    hub.seed(ONBOARDING_KEY, { schema: 2, welcomeClaimedBy: 'gone', welcomeClaimedAt: 0, progressChoice: null, choiceAt: null, legacyImported: false });
    const { managers } = windows(1, hub);
    expect(await (managers[0] as OnboardingManager).claimWelcome()).toBe(true);
  });

  it('the tracking choice can be forgotten again (back to "not chosen")', async () => {
    const { managers } = windows(1);
    const a = managers[0] as OnboardingManager;
    await a.setProgressChoice('on');
    expect(a.progressEnabled()).toBe(true);
    await a.setProgressChoice(null);
    expect(a.progressEnabled()).toBeUndefined();
  });

  it('keeps the choice, visible in every window', async () => {
    const { managers } = windows(2);
    const [a, b] = managers as [OnboardingManager, OnboardingManager];
    expect(b.progressEnabled()).toBeUndefined();
    const heard: OnboardingState[] = [];
    b.onDidChange((s) => heard.push(s));
    await a.setProgressChoice('on');
    await settle();
    expect(b.progressEnabled()).toBe(true);
    expect(heard.at(-1)?.progressChoice).toBe('on');
    await b.setProgressChoice('off');
    await settle();
    expect(a.progressEnabled()).toBe(false);
  });
});

describe('legacy onboarding', () => {
  it('read from the store\'s migrated copy: someone who saw the old tour is not welcomed again, opt-in kept', async () => {
    const hub = new FakeStoreHub();
    hub.seed(ONBOARDING_KEY, { hasSeenTour: true, gamificationOptIn: true, extra: 'kept out' });
    const { managers } = windows(2, hub);
    expect(managers[0]?.progressEnabled()).toBe(true);
    expect(await Promise.all(managers.map((m) => m.claimWelcome()))).toEqual([false, false]);
    expect(await managers[0]?.importLegacy({ hasSeenTour: true, gamificationOptIn: false })).toBe(false);
    expect(managers[1]?.progressEnabled()).toBe(true);
  });

  it('imported from a raw globalState value exactly once among windows', async () => {
    const { managers, hub } = windows(3);
    const raw = { hasSeenTour: false, gamificationOptIn: false };
    const results = await Promise.all(managers.map((m) => m.importLegacy(raw)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(hub.head(ONBOARDING_KEY)?.payload).toMatchObject({ legacyImported: true, progressChoice: 'off', welcomeClaimedBy: 'legacy' });
    // A later explicit choice is not undone by importing again.
    await managers[0]?.setProgressChoice('on');
    expect(await managers[1]?.importLegacy(raw)).toBe(false);
    expect(managers[0]?.progressEnabled()).toBe(true);
  });

  it('a legacy user who never saw anything still gets the welcome once', async () => {
    const hub = new FakeStoreHub();
    hub.seed(ONBOARDING_KEY, { hasSeenTour: false });
    const { managers } = windows(2, hub);
    expect((await Promise.all(managers.map((m) => m.claimWelcome()))).filter(Boolean)).toHaveLength(1);
  });

  it('odd stored values read as a fresh start instead of breaking', async () => {
    for (const odd of ['text', 42, [1, 2], { welcomeClaimedBy: 5, progressChoice: 'maybe' }]) {
      const hub = new FakeStoreHub();
      hub.seed(ONBOARDING_KEY, odd);
      const { managers } = windows(1, hub);
      expect(managers[0]?.progressEnabled()).toBeUndefined();
      expect(await managers[0]?.claimWelcome()).toBe(true);
    }
  });
});
