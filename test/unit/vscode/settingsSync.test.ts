import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MeditationTracker, PATTERNS } from '../../../src/engine';
import { ProgressSync } from '../../../src/engine/progressSync';
import { LOOK_EVERY_MS, SettingsSyncBridge, SYNCED_PROGRESS_KEY } from '../../../src/vscode/settingsSync';
import { progressSyncText } from '../../../src/vscode/storageHealth';
import { FakeClock, FakeStoreHub } from '../engine/fakeStore';
import { fake } from './fake-vscode';

/** A machine's globalState: counts writes, remembers the keys registered for Settings Sync. */
class Memento {
  readonly values = new Map<string, unknown>();
  writes = 0;
  synced: readonly string[] = [];
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.writes++;
    this.values.set(key, JSON.parse(JSON.stringify(value)));
  }
  setKeysForSync(keys: readonly string[]): void {
    this.synced = keys;
  }
}

function machine(name: string, clock: FakeClock) {
  const store = new FakeStoreHub().open(name);
  const tracker = new MeditationTracker(store, { clock, pattern: PATTERNS.chill, newId: () => `${name}-${Math.random().toString(36).slice(2)}` });
  const sync = new ProgressSync(store, { progress: () => tracker.localProgress(), meditatedDays: () => tracker.meditatedDays(), clearLocal: () => tracker.clear(), addSessions: (s, from) => tracker.addSessions(s, from) }, { clock });
  const globalState = new Memento();
  const state = { enabled: true, focused: false, running: false };
  const logs: string[] = [];
  const bridge = new SettingsSyncBridge({ globalState, sync, enabled: () => state.enabled, focused: () => state.focused, sessionRunning: () => state.running, log: (_l, m) => logs.push(m) });
  return { store, tracker, sync, globalState, state, bridge, logs };
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await vi.advanceTimersByTimeAsync(0);
};

describe('Settings Sync bridge', () => {
  let clock: FakeClock;
  const open: { bridge: SettingsSyncBridge; tracker: MeditationTracker }[] = [];
  beforeEach(() => {
    fake.reset();
    vi.useFakeTimers();
    clock = new FakeClock();
  });
  afterEach(() => {
    for (const m of open.splice(0)) {
      m.bridge.dispose();
      m.tracker.dispose();
    }
    vi.useRealTimers();
  });
  const make = (name: string) => {
    const m = machine(name, clock);
    open.push(m);
    return m;
  };

  it('registers only the synced progress key, and nothing when the setting is off', () => {
    const m = make('a');
    expect(m.globalState.synced).toEqual([SYNCED_PROGRESS_KEY]);
    m.state.enabled = false;
    m.bridge.applySetting();
    expect(m.globalState.synced).toEqual([]);
  });

  it('an unfocused window does nothing at all: no exchange, no timer, no write', async () => {
    const m = make('a');
    await m.tracker.start(5);
    m.bridge.progressChanged();
    await vi.advanceTimersByTimeAsync(3 * LOOK_EVERY_MS);
    expect(m.globalState.writes).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('on focus: merges what arrived and writes back what this machine knows more; then, with nothing new, writes nothing', async () => {
    const a = make('a');
    const b = make('b');
    await a.tracker.start(5);
    clock.advance(5 * 60_000);
    await a.tracker.end();
    expect(a.tracker.snapshot().xp).toBeGreaterThan(0);
    a.state.focused = true;
    a.bridge.focusChanged(true);
    await settle();
    expect(a.globalState.writes).toBe(1);
    // Settings Sync carries a's value to b whole.
    b.globalState.values.set(SYNCED_PROGRESS_KEY, a.globalState.get(SYNCED_PROGRESS_KEY));
    b.state.focused = true;
    b.bridge.focusChanged(true);
    await settle();
    expect(b.tracker.snapshot().xp).toBe(a.tracker.snapshot().xp);
    expect(b.tracker.snapshot().totals.sessions).toBe(1);
    expect(b.logs.some((l) => /arrived from 1 other machine/.test(l))).toBe(true);
    // b adds its own part (it knows more than it was sent).
    expect(b.globalState.writes).toBe(1);
    const writes = a.globalState.writes;
    await vi.advanceTimersByTimeAsync(2 * LOOK_EVERY_MS);
    expect(a.globalState.writes).toBe(writes);
    expect(progressSyncText({ enabled: true, record: b.sync.record() })).toMatch(/on; 1 other machine\(s\) counted; last arrival .* from /);
    expect(progressSyncText({ enabled: true, record: a.sync.record() })).toBe('on; nothing has arrived from another machine yet');
    expect(progressSyncText({ enabled: false, record: a.sync.record() })).toMatch(/^off/);
  });

  it('passes on a change of progress at most once a minute during a session, and an ended session within seconds', async () => {
    const a = make('a');
    a.state.focused = true;
    a.state.running = true;
    a.bridge.focusChanged(true);
    await settle();
    const spy = vi.spyOn(a.sync, 'receive');
    for (let i = 0; i < 30; i++) {
      a.bridge.progressChanged();
      await vi.advanceTimersByTimeAsync(2_000);
    }
    expect(spy.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(spy.mock.calls.length).toBeLessThanOrEqual(2);
    const before = spy.mock.calls.length;
    a.bridge.progressChanged();
    a.state.running = false;
    a.bridge.progressChanged();
    await vi.advanceTimersByTimeAsync(2_500);
    expect(spy.mock.calls.length).toBe(before + 1);
  });

  it('an unreadable value is logged and written over with what this machine knows', async () => {
    const a = make('a');
    await a.tracker.start(5);
    clock.advance(30_000);
    await a.tracker.end();
    a.globalState.values.set(SYNCED_PROGRESS_KEY, ['not', 'progress']);
    a.state.focused = true;
    a.bridge.focusChanged(true);
    await settle();
    expect(a.logs.some((l) => /unreadable/.test(l))).toBe(true);
    expect(a.globalState.get<{ v: number }>(SYNCED_PROGRESS_KEY)?.v).toBe(1);
  });
});
