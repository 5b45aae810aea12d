import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { cycleMs, MeditationTracker, PATTERNS } from '../../../src/engine';
import { ProgressSync, SYNC_RECORD_KEY } from '../../../src/engine/progressSync';
import { FakeClock, FakeStoreHub, type FakeStore } from './fakeStore';

const CHILL = cycleMs(PATTERNS.chill);
const disposers: (() => void)[] = [];
afterEach(() => {
  for (const d of disposers.splice(0)) d();
});

let ids = 0;
/** One machine: its own store folder (hub), one or more windows, and its own `globalState` value of the synced key. */
class Machine {
  readonly hub = new FakeStoreHub();
  readonly windows: { store: FakeStore; tracker: MeditationTracker; sync: ProgressSync }[] = [];
  /** This machine's `globalState` value of the synced key (shared by its windows, as VS Code's storage is). */
  globalState: unknown = undefined;
  /** Written by the extension since Settings Sync last looked. */
  dirty = false;
  lastCloudRev = 0;

  constructor(
    readonly name: string,
    readonly clock: FakeClock,
    windows = 1,
  ) {
    for (let i = 0; i < windows; i++) this.open();
  }

  open() {
    const store = this.hub.open(`${this.name}-w${this.windows.length}`);
    const tracker = new MeditationTracker(store, { clock: this.clock, pattern: PATTERNS.chill, newId: () => `${this.name}-${++ids}` });
    const sync = new ProgressSync(store, { progress: () => tracker.localProgress(), meditatedDays: () => tracker.meditatedDays(), clearLocal: () => tracker.clear(), addSessions: (s, from) => tracker.addSessions(s, from) }, { clock: this.clock, newId: () => `${this.name}${++ids}` });
    disposers.push(() => tracker.dispose());
    const w = { store, tracker, sync };
    this.windows.push(w);
    return w;
  }

  get w() {
    return this.windows[0] as Machine['windows'][number];
  }

  /** A session of `cycles` breathing cycles, ended: returns the XP this machine's record gained. */
  async meditate(cycles: number, window = 0): Promise<void> {
    const { tracker } = this.windows[window] as Machine['windows'][number];
    await tracker.setFocused(true);
    await tracker.start(10);
    for (let t = 0; t < cycles * CHILL; t += 1000) {
      this.clock.advance(1000);
      await tracker.tick();
    }
    await tracker.end();
  }

  /** What the extension does at startup, on focus and on its slow timer: merge what arrived, write back what it knows more. */
  async exchange(window = 0): Promise<void> {
    const { sync } = this.windows[window] as Machine['windows'][number];
    await sync.receive(this.globalState);
    const out = sync.outgoing(this.globalState);
    if (out !== undefined) {
      this.globalState = JSON.parse(JSON.stringify(out));
      this.dirty = true;
    }
  }

  xp(window = 0): number {
    return (this.windows[window] as Machine['windows'][number]).tracker.snapshot().xp;
  }

  /** The XP this machine earned itself (its own store's record): what the others must add up. */
  ownXp(): number {
    return this.w.tracker.progress().xp;
  }
}

/**
 * Settings Sync as VS Code's does it for one key (extensionsMerge.ts): per machine, a value changed remotely since this
 * machine last synced replaces the local one whole ("remote always wins"), even when it changed locally too; a value
 * changed only locally is uploaded whole. No merging of values.
 */
class FakeSettingsSync {
  cloud: unknown = undefined;
  rev = 0;
  /** Every value the cloud ever held (for stale, duplicated and reordered deliveries). */
  readonly history: unknown[] = [];

  round(m: Machine): void {
    if (this.rev > m.lastCloudRev) {
      m.globalState = JSON.parse(JSON.stringify(this.cloud));
      m.lastCloudRev = this.rev;
      m.dirty = false;
    } else if (m.dirty) {
      this.cloud = JSON.parse(JSON.stringify(m.globalState));
      this.history.push(this.cloud);
      m.lastCloudRev = ++this.rev;
      m.dirty = false;
    }
  }

  /** An older copy arrives again (late, duplicated, or written by an older version on another machine: newer-version-wins). */
  replay(m: Machine, index: number): void {
    if (this.history.length === 0) return;
    m.globalState = JSON.parse(JSON.stringify(this.history[index % this.history.length]));
  }
}

async function settle(machines: Machine[], sync: FakeSettingsSync, rounds = 4): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    for (const m of machines) {
      sync.round(m);
      await m.exchange();
      sync.round(m);
    }
  }
}

/** A laptop and a desktop, one window each, on one clock, and the Settings Sync between them. */
function twoMachines() {
  const clock = new FakeClock();
  return { clock, laptop: new Machine('laptop', clock), desktop: new Machine('desktop', clock), cloud: new FakeSettingsSync() };
}

describe('progress across machines through a fake Settings Sync', () => {
  it('two machines: each shows the sum; the history holds both machines\' sessions once', async () => {
    const { laptop, desktop, cloud } = twoMachines();
    await laptop.meditate(5);
    await desktop.meditate(8);
    await settle([laptop, desktop], cloud);
    const total = laptop.ownXp() + desktop.ownXp();
    expect(laptop.ownXp()).toBeGreaterThan(0);
    expect(desktop.ownXp()).toBeGreaterThan(0);
    expect(laptop.xp()).toBe(total);
    expect(desktop.xp()).toBe(total);
    for (const m of [laptop, desktop]) {
      const ids = m.w.tracker.history().sessions.map((s) => s.id);
      expect(ids.filter((id) => id.startsWith('laptop')).length).toBe(1);
      expect(ids.filter((id) => id.startsWith('desktop')).length).toBe(1);
      expect(m.w.tracker.snapshot().totals.sessions).toBe(2);
      expect(m.w.tracker.snapshot().machines).toBe(2);
    }
    // Exchanging again and again changes nothing and writes nothing: idle means idle.
    const version = laptop.w.store.get(SYNC_RECORD_KEY).version;
    const gs = JSON.stringify(laptop.globalState);
    await settle([laptop, desktop], cloud, 3);
    expect(laptop.w.store.get(SYNC_RECORD_KEY).version).toBe(version);
    expect(JSON.stringify(laptop.globalState)).toBe(gs);
    expect(laptop.xp()).toBe(total);
  });

  it('property: whatever the order, duplication, staleness and overwrites, every machine ends with the sum of all, never more', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('meditate' as const), m: fc.nat(2), cycles: fc.integer({ min: 1, max: 3 }) }),
            fc.record({ kind: fc.constant('exchange' as const), m: fc.nat(2) }),
            fc.record({ kind: fc.constant('sync' as const), m: fc.nat(2) }),
            fc.record({ kind: fc.constant('stale' as const), m: fc.nat(2), index: fc.nat() }),
            fc.record({ kind: fc.constant('garbage' as const), m: fc.nat(2) }),
            fc.record({ kind: fc.constant('otherWindow' as const), m: fc.nat(2) }),
          ),
          { maxLength: 25 },
        ),
        async (steps) => {
          const clock = new FakeClock();
          const machines = [new Machine('a', clock, 2), new Machine('b', clock), new Machine('c', clock)];
          const cloud = new FakeSettingsSync();
          for (const step of steps) {
            const m = machines[step.m] as Machine;
            if (step.kind === 'meditate') await m.meditate(step.cycles);
            else if (step.kind === 'exchange') await m.exchange();
            else if (step.kind === 'sync') cloud.round(m);
            else if (step.kind === 'stale') cloud.replay(m, step.index);
            else if (step.kind === 'garbage') m.globalState = { v: 1, machines: 'nope' };
            else if (m.windows.length > 1) await m.exchange(1);
            // Never more than the sum, at any moment.
            const sum = machines.reduce((n, x) => n + x.ownXp(), 0);
            for (const x of machines) expect(x.xp()).toBeLessThanOrEqual(sum);
          }
          await settle(machines, cloud);
          const sum = machines.reduce((n, x) => n + x.ownXp(), 0);
          for (const x of machines) {
            for (let w = 0; w < x.windows.length; w++) expect(x.xp(w)).toBe(sum);
          }
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000);

  it('one machine offline for days, then back: nothing lost, nothing doubled', async () => {
    const { clock, laptop, desktop, cloud } = twoMachines();
    await laptop.meditate(2);
    await settle([laptop, desktop], cloud);
    for (let day = 0; day < 4; day++) {
      clock.advance(24 * 3_600_000);
      await laptop.meditate(2); // offline: no exchange, no sync
      await desktop.meditate(3);
      await settle([desktop], cloud, 1);
    }
    await settle([laptop, desktop], cloud);
    const total = laptop.ownXp() + desktop.ownXp();
    expect(laptop.xp()).toBe(total);
    expect(desktop.xp()).toBe(total);
    expect(desktop.w.tracker.snapshot().totals.sessions).toBe(9);
  });

  it('Clear Data on one machine clears every machine it showed, and nothing cleared comes back from a stale copy', async () => {
    const { clock, laptop, desktop, cloud } = twoMachines();
    await laptop.meditate(3);
    await desktop.meditate(4);
    await settle([laptop, desktop], cloud);
    const staleIndex = cloud.history.length - 1;
    expect(laptop.xp()).toBeGreaterThan(0);

    await laptop.w.tracker.clear();
    await laptop.w.sync.recordReset();
    expect(laptop.xp()).toBe(0);
    await settle([laptop, desktop], cloud);
    expect(desktop.ownXp()).toBe(0);
    expect(desktop.xp()).toBe(0);
    expect(desktop.w.tracker.history().sessions).toEqual([]);

    // A copy from before the clear arrives again (an older version's machine wrote it back): nothing returns.
    cloud.replay(desktop, staleIndex);
    await desktop.exchange();
    await settle([laptop, desktop], cloud);
    expect(laptop.xp()).toBe(0);
    expect(desktop.xp()).toBe(0);

    // Progress after the clear counts everywhere.
    clock.advance(60_000);
    await desktop.meditate(2);
    await settle([laptop, desktop], cloud);
    expect(laptop.xp()).toBe(desktop.ownXp());
    expect(laptop.xp()).toBeGreaterThan(0);
  });

  it('a machine the clearing one never heard of keeps its progress', async () => {
    const { clock, laptop, desktop, cloud } = twoMachines();
    await laptop.meditate(2);
    await desktop.meditate(3);
    await laptop.w.tracker.clear();
    await laptop.w.sync.recordReset();
    clock.advance(1000);
    await settle([laptop, desktop], cloud);
    expect(desktop.ownXp()).toBeGreaterThan(0);
    expect(laptop.xp()).toBe(desktop.ownXp());
  });

  it('Import of an export taken on a synced machine adds nothing twice: the higher wins over the combined numbers', async () => {
    const { laptop, desktop, cloud } = twoMachines();
    await laptop.meditate(3);
    await desktop.meditate(4);
    await settle([laptop, desktop], cloud);
    const total = laptop.ownXp() + desktop.ownXp();
    const exported = desktop.w.tracker.exportData();
    expect(exported.progress.xp).toBe(total); // what it shows: both machines
    const result = await laptop.w.tracker.importData(JSON.stringify(exported));
    expect(result.ok).toBe(true);
    await settle([laptop, desktop], cloud);
    expect(laptop.xp()).toBe(total);
    expect(desktop.xp()).toBe(total);
  });

  it('a level is announced when the XP shown (this machine\'s and the others\') crosses it', async () => {
    const { laptop, desktop, cloud } = twoMachines();
    while (desktop.ownXp() < 40) await desktop.meditate(2);
    await settle([laptop, desktop], cloud);
    const levels: number[] = [];
    laptop.w.tracker.onDidNotify((n) => {
      if (n.kind === 'levelUp') levels.push(n.level);
    });
    expect(laptop.xp()).toBeLessThan(50);
    await laptop.meditate(10);
    expect(laptop.ownXp()).toBeLessThan(50);
    expect(laptop.xp()).toBeGreaterThanOrEqual(50);
    expect(levels).toEqual([2]);
  });

  it('an unreadable value changes nothing and says why; what this machine knows is written over it', async () => {
    const clock = new FakeClock();
    const laptop = new Machine('laptop', clock);
    await laptop.meditate(2);
    laptop.globalState = 'garbage';
    const result = await laptop.w.sync.receive(laptop.globalState);
    expect(result.error).toMatch(/not an object/);
    await laptop.exchange();
    expect((laptop.globalState as { machines: object }).machines).toBeTypeOf('object');
    expect(laptop.xp()).toBe(laptop.ownXp());
  });
});
