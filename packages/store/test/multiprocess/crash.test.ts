import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtStore, tempFolder, Worker, recordFolders } from './harness';

const writers = 3;
const killsWanted = 60;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function ackedVersions(logDir: string): number[] {
  if (!existsSync(logDir)) return [];
  return readdirSync(logDir).flatMap((name) =>
    readFileSync(join(logDir, name), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map(Number),
  );
}

describe('writers killed with SIGKILL at random moments', () => {
  const work = tempFolder();
  let storeModule = '';
  beforeAll(() => {
    storeModule = builtStore(work.dir);
  });
  afterAll(() => work.remove());

  it(`lose no acknowledged increment over ${killsWanted}+ kills, leave every record readable, and never block the next writer`, async () => {
    const dir = join(work.dir, 'storage');
    const logDir = join(work.dir, 'acks');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(logDir);
    let generation = 0;
    const spawn = (): Worker => new Worker('killable', { storeModule, dir, key: 'counter', ackLog: join(logDir, `gen-${generation++}.log`) });

    const slots = Array.from({ length: writers }, spawn);
    const isRunning = (w: Worker): boolean => w.messages.some((m) => m.type === 'firstAck');
    // A long-lived writer that commits once right after each kill: how long it takes is reported (not asserted).
    const probe = new Worker('holder', { storeModule, dir });
    await probe.next('ready');
    const afterKillMs: number[] = [];
    let kills = 0;
    while (kills < killsWanted) {
      // Kill a writer that is running (not one still starting Node), at a random moment — often mid-update.
      const running = slots.map((w, i) => [w, i] as const).filter(([w]) => isRunning(w));
      if (running.length === 0) {
        await Promise.race(slots.map((w) => w.next('firstAck')));
        continue;
      }
      const [victim, slot] = running[Math.floor(Math.random() * running.length)] ?? [];
      if (!victim || slot === undefined) continue;
      await sleep(Math.random() * 40);
      await victim.kill('SIGKILL');
      kills++;
      slots[slot] = spawn();
      const startedAt = Date.now();
      probe.send({ type: 'update', key: 'counter', add: 1 });
      await probe.nth('updated', kills);
      afterKillMs.push(Date.now() - startedAt);
    }
    // Every replacement writer makes progress after the kills: no lock or leftover file holds it up.
    const survivors = await Promise.all(slots.map((w) => (w ? w.next('firstAck') : undefined)));
    expect(survivors.every((m) => typeof m?.version === 'number')).toBe(true);
    await sleep(100);
    for (const w of slots) await w?.kill('SIGKILL');
    kills += writers;
    const probeAcks = probe.messages.filter((m) => m.type === 'updated').length;
    await probe.kill('SIGTERM');

    const acked = ackedVersions(logDir);
    const verifier = new Worker('holder', { storeModule, dir });
    await verifier.next('ready');
    verifier.send({ type: 'read', key: 'counter' });
    const final = (await verifier.next('read')).record as { version: number; payload: number };
    // A fresh writer after all the kills proceeds at once too.
    verifier.send({ type: 'update', key: 'counter', add: 1 });
    const after = (await verifier.next('updated')).record as { version: number; payload: number };
    await verifier.kill('SIGTERM');

    expect(new Set(acked).size).toBe(acked.length); // no version acknowledged twice
    expect(final.payload).toBe(final.version); // each version is exactly one increment: none doubled, none lost
    expect(probeAcks).toBe(killsWanted);
    expect(final.payload).toBeGreaterThanOrEqual(acked.length + probeAcks);
    expect(final.payload).toBeLessThanOrEqual(acked.length + probeAcks + kills);
    expect(Math.max(...acked)).toBeLessThanOrEqual(final.version);
    expect(kills).toBeGreaterThanOrEqual(killsWanted);
    expect(after).toMatchObject({ version: final.version + 1, payload: final.payload + 1 });

    const folder = recordFolders(dir)[0] ?? '';
    const names = readdirSync(folder);
    for (const name of names.filter((n) => /^v\d{12}\.json$/.test(n))) {
      expect(() => JSON.parse(readFileSync(join(folder, name), 'utf8')) as unknown).not.toThrow();
    }
    expect(names.filter((n) => n.includes('corrupt'))).toEqual([]);
    const sorted = [...afterKillMs].sort((a, b) => a - b);
    console.log(
      `[crash] kills ${kills}, acknowledged ${acked.length}, final ${final.payload} (unacknowledged commits ${final.payload - acked.length - probeAcks}), ` +
        `files in the key's folder ${names.length}, ` +
        `temp files of killed windows in tmp/ ${readdirSync(join(dir, 'tmp')).length} (the next window to open removes them), ` +
        `a running writer's update right after a kill: median ${sorted[Math.floor(sorted.length / 2)] ?? -1} ms, max ${sorted.at(-1) ?? -1} ms`,
    );
  });
});
