import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtStore, tempFolder, Worker, recordFolders } from './harness';

const processes = 8;
const perProcess = 250;

describe(`${processes} processes × ${perProcess} concurrent increments of one key`, () => {
  const work = tempFolder();
  let storeModule = '';
  beforeAll(() => {
    storeModule = builtStore(work.dir);
  });
  afterAll(() => work.remove());

  it('end at exactly N×M with version N×M, every acknowledged version distinct, no ConflictError', async () => {
    const dir = join(work.dir, 'storage');
    const workers = Array.from({ length: processes }, (_, i) => new Worker('increments', { storeModule, dir, key: 'counter', count: perProcess, clientId: `p${i}` }));
    await Promise.all(workers.map((w) => w.next('ready')));
    for (const w of workers) w.send({ type: 'go' });
    const results = await Promise.all(workers.map((w) => w.next('done')));
    await Promise.all(workers.map((w) => w.exited));

    const versions = results.flatMap((r) => r.versions as number[]);
    const conflictErrors = results.reduce((sum, r) => sum + (r.conflictErrors as number), 0);
    const metrics = results.map((r) => r.metrics as { conflicts: number; retries: number; commits: number });
    expect(conflictErrors).toBe(0);
    expect(versions).toHaveLength(processes * perProcess);
    expect(new Set(versions).size).toBe(processes * perProcess);
    expect(Math.max(...versions)).toBe(processes * perProcess);
    expect(metrics.reduce((s, m) => s + m.commits, 0)).toBe(processes * perProcess);

    const folder = recordFolders(dir)[0] ?? '';
    const head = readdirSync(folder).filter((n) => /^v\d{12}\.json$/.test(n)).sort().at(-1) ?? '';
    expect(JSON.parse(readFileSync(join(folder, head), 'utf8'))).toMatchObject({ version: processes * perProcess, payload: processes * perProcess });

    const conflicts = metrics.reduce((s, m) => s + m.conflicts, 0);
    const retries = metrics.reduce((s, m) => s + m.retries, 0);
    console.log(`[contention] ${processes}×${perProcess}: final ${processes * perProcess}, conflicts ${conflicts}, retries ${retries}, max retries in one process ${Math.max(...metrics.map((m) => m.retries))}`);
  });

  // Collecting as early as the protocol allows (keepVersions 2) puts every writer's base next to collection all
  // the time: only the intents keep a base a writer is about to build on from being removed (design.md,
  // "Collection"). Eight writers at once also leave removals still running when others commit.
  it('with keepVersions 2, 4 rounds of 8 × 150: every round exact, no acknowledged version twice', async () => {
    for (let round = 0; round < 4; round++) {
      const dir = join(work.dir, `aggressive-${round}`);
      const workers = Array.from({ length: 8 }, (_, i) => new Worker('increments', { storeModule, dir, key: 'counter', count: 150, clientId: `q${i}`, keepVersions: 2 }));
      await Promise.all(workers.map((w) => w.next('ready')));
      for (const w of workers) w.send({ type: 'go' });
      const results = await Promise.all(workers.map((w) => w.next('done')));
      await Promise.all(workers.map((w) => w.exited));
      const versions = results.flatMap((r) => r.versions as number[]);
      expect(new Set(versions).size).toBe(1200);
      expect(Math.max(...versions)).toBe(1200);
      const folder = recordFolders(dir)[0] ?? '';
      const files = readdirSync(folder).filter((n) => /^v\d{12}\.json$/.test(n)).sort();
      expect(JSON.parse(readFileSync(join(folder, files.at(-1) ?? ''), 'utf8'))).toMatchObject({ version: 1200, payload: 1200 });
      expect(files.length).toBeLessThanOrEqual(2 * 2 + 1);
    }
  });
});
