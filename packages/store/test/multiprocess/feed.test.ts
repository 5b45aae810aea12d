import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WatchMode } from '../../src';
import { builtStore, Message, tempFolder, Worker } from './harness';

const rounds = 15;

describe.each<WatchMode>(['auto', 'poll'])('change feed across processes (watch: %s)', (watch) => {
  const work = tempFolder();
  let storeModule = '';
  beforeAll(() => {
    storeModule = builtStore(work.dir);
  });
  afterAll(() => work.remove());

  it('B sees X and Y that A committed back to back, never its own, at most once per key/version, with get already current', async () => {
    const dir = join(work.dir, `storage-${watch}`);
    const writer = new Worker('feedWriter', { storeModule, dir, watch });
    const reader = new Worker('feedReader', { storeModule, dir, watch, pollIntervalMs: 100 });
    await Promise.all([writer.next('ready'), reader.next('ready')]);

    for (let round = 1; round <= rounds; round++) {
      // The reader commits keys of its own too, which it must never be told about.
      reader.send({ type: 'own', key: `own-${round}`, value: round });
      writer.send({ type: 'commit', round, entries: [['X', `x${round}`], ['Y', `y${round}`]] });
      await writer.next('committed', (m) => m.round === round);
      const seenBoth = (key: string) => reader.next('seen', (m) => m.key === key && m.version === round);
      await Promise.all([seenBoth('X'), seenBoth('Y')]);
    }
    reader.send({ type: 'metrics' });
    const metrics = (await reader.next('metrics')).metrics as { feedLatencyMs: { p50: number; p99: number; count: number }; watchMode: string; remoteChanges: number };
    await Promise.all([writer.kill('SIGTERM'), reader.kill('SIGTERM')]);

    const seen = reader.messages.filter((m): m is Message & { key: string; version: number; getVersion: number; getPayload: string; clientId: string } => m.type === 'seen');
    const ids = seen.map((m) => `${m.key}@${m.version}`);
    expect(new Set(ids).size).toBe(ids.length);
    for (let round = 1; round <= rounds; round++) {
      expect(ids).toContain(`X@${round}`);
      expect(ids).toContain(`Y@${round}`);
    }
    expect(seen.every((m) => m.key === 'X' || m.key === 'Y')).toBe(true);
    for (const m of seen) {
      expect(m.getVersion).toBe(m.version);
      expect(m.getPayload).toBe(`${m.key.toLowerCase()}${m.version}`);
      expect(m.clientId).toBe('writer');
    }
    expect(metrics.remoteChanges).toBe(seen.length);
    console.log(`[feed ${watch}] mode ${metrics.watchMode}, ${seen.length} changes seen, commit → reader latency p50 ${metrics.feedLatencyMs.p50} ms, p99 ${metrics.feedLatencyMs.p99} ms`);
  });
});
