import { describe, expect, it, vi } from 'vitest';
import { openStore, tempFolder } from './helpers';

/**
 * Collection removes versions below the collector's new record. After a power loss only what was flushed is left,
 * so it must not start before that record and its folder entry are fsync'd: otherwise the folder could be left
 * with nothing durable above the removed versions. This watches the real fsyncs and renames of one window.
 */
const seen = { inFlight: 0, fsyncs: 0, collectedWhileFlushing: 0, collected: 0 };

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const fsync = (fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void => {
    seen.inFlight++;
    seen.fsyncs++;
    real.fsync(fd, (error) => {
      seen.inFlight--;
      callback(error);
    });
  };
  const renameSync = (from: import('node:fs').PathLike, to: import('node:fs').PathLike): void => {
    if (/[\\/]trash[\\/]/.test(String(to))) {
      seen.collected++;
      if (seen.inFlight > 0) seen.collectedWhileFlushing++;
    }
    real.renameSync(from, to);
  };
  return { ...real, default: { ...real, fsync, renameSync }, fsync, renameSync };
});

describe('collection and durability', () => {
  it('collects only once the collector’s own record and folder entry are flushed', async () => {
    const store = openStore(tempFolder(), { keepVersions: 2, watch: 'poll' });
    for (let i = 0; i < 40; i++) await store.update('n', (c: number) => c + 1, 0);
    expect(seen.fsyncs).toBeGreaterThanOrEqual(80); // the record and the folder, per commit
    expect(seen.collected).toBeGreaterThanOrEqual(30);
    expect(seen.collectedWhileFlushing).toBe(0);
    expect(store.get('n')).toMatchObject({ version: 40, payload: 40 });
  });
});
