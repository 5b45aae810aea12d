import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtStore, tempFolder, Worker, recordFolders } from './harness';

describe('migration from globalState, three windows opening at once', () => {
  const work = tempFolder();
  let storeModule = '';
  beforeAll(() => {
    storeModule = builtStore(work.dir);
  });
  afterAll(() => work.remove());

  it('imports each value exactly once, as version 1, and every process sees the same record', async () => {
    const dir = join(work.dir, 'storage');
    const globalState = { xp: 1234, level: 7, history: [{ day: '2026-01-01', minutes: 5 }], unrelated: 'x' };
    const migrate = ['xp', 'level', 'history', 'neverSet'];
    const workers = [0, 1, 2].map(() => new Worker('migrate', { storeModule, dir, globalState, migrate }));
    await Promise.all(workers.map((w) => w.next('ready')));
    for (const w of workers) w.send({ type: 'go' });
    const results = await Promise.all(workers.map((w) => w.next('done')));
    await Promise.all(workers.map((w) => w.exited));

    expect(results.reduce((sum, r) => sum + (r.commits as number), 0)).toBe(3);
    for (const r of results) {
      const seen = r.seen as Record<string, { version: number; payload: unknown; clientId: string }>;
      expect(seen.xp).toMatchObject({ version: 1, payload: 1234 });
      expect(seen.level).toMatchObject({ version: 1, payload: 7 });
      expect(seen.history).toMatchObject({ version: 1, payload: [{ day: '2026-01-01', minutes: 5 }] });
      expect(seen.neverSet).toMatchObject({ version: 0 });
      expect(seen.xp?.clientId).toBe((results[0]?.seen as Record<string, { clientId: string }>).xp?.clientId);
    }
    for (const folder of recordFolders(dir)) {
      expect(readdirSync(folder).filter((n) => /^v\d{12}\.json$/.test(n))).toEqual(['v000000000001.json']);
    }
    expect(readdirSync(join(dir, 'migrated'))).toHaveLength(3);
  });
});
