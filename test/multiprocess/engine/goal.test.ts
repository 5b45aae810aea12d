import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineWindow, prepareWorkers, tempFolder } from './harness';

// "Goal reached" is said by exactly one window: three real processes tick the same session at the same wall-clock
// instants (virtual time sent with each request); the claim is a compare-and-set in the store, nothing else.
const T0 = new Date(2024, 5, 10, 9, 0, 0).getTime();

const work = tempFolder();
let modules: { storeModule: string; workerScript: string };
beforeAll(async () => {
  modules = await prepareWorkers(work.dir);
});
afterAll(() => work.remove());

async function openWindows(n: number, dir: string): Promise<EngineWindow[]> {
  const windows = Array.from({ length: n }, (_, i) => new EngineWindow(modules.workerScript, { storeModule: modules.storeModule, dir, clientId: `w${i + 1}` }));
  await Promise.all(windows.map((w) => w.ready));
  return windows;
}

const goals = (windows: EngineWindow[]) => windows.flatMap((w) => w.events.filter((e) => e.type === 'goal'));

describe('a session reaching its goal, across processes', () => {
  it.each([
    ['the focused window says it', 1],
    ['with none focused, the counting window says it', -1],
  ] as const)('%s — once, round after round', async (_, focusedIndex) => {
    const dir = join(work.dir, `goal-${focusedIndex}`);
    const windows = await openWindows(3, dir);
    const [w1] = windows as [EngineWindow];
    try {
      for (let r = 0; r < 4; r++) {
        const start = T0 + r * 3_600_000;
        const { session } = await w1.request<{ session: { id: string } }>('start', { now: start, goal: 1 });
        await Promise.all(windows.map((w) => w.event((e) => e.type === 'snapshot' && e.sessionId === session.id)));
        if (focusedIndex >= 0) await windows[focusedIndex]?.request('focus', { focused: true, now: start });
        for (let now = start + 2_000; now <= start + 70_000; now += 2_000) {
          const at = Date.now() + 20;
          await Promise.all(windows.map((w) => w.request('tick', { now, at })));
        }
        await new Promise((res) => setTimeout(res, 300)); // late events would arrive by now
        const said = goals(windows).filter((g) => g.sessionId === session.id);
        expect(said).toHaveLength(1);
        if (focusedIndex >= 0) expect(said[0]?.clientId).toBe(`w${focusedIndex + 1}`);
        await w1.request('end', { now: start + 70_000 });
        if (focusedIndex >= 0) await windows[focusedIndex]?.request('focus', { focused: false, now: start + 70_000 });
      }
    } finally {
      await Promise.all(windows.map((w) => w.close()));
    }
  });
});
