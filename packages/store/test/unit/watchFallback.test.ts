import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { openStore, tempFolder } from './helpers';

// A file system where directory events never arrive (as on network mounts or WSL's /mnt).
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const watch = (): unknown => Object.assign(new EventEmitter(), { close: () => undefined, unref: () => undefined, ref: () => undefined });
  return { ...real, default: { ...real, watch }, watch };
});

function until(predicate: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => (predicate() ? resolve() : void setTimeout(check, 10));
    check();
  });
}

describe("watch: 'auto' where file events do not arrive", () => {
  it('notices its own change was not echoed, switches to polling, and then delivers remote changes', async () => {
    const dir = tempFolder();
    const logs: string[] = [];
    const reader = openStore(dir, { watch: 'auto', pollIntervalMs: 20, log: (_l, m) => logs.push(m) });
    const writer = openStore(dir, { watch: 'poll', pollIntervalMs: 20 });
    expect(reader.getMetrics().watchMode).toBe('events');
    await reader.set('own', 1);
    await until(() => reader.getMetrics().watchMode === 'poll');
    expect(logs.some((m) => m.includes('polling'))).toBe(true);
    const seen: string[] = [];
    reader.createTouchWatcher((key, version) => seen.push(`${key}@${version}`));
    await writer.set('remote', 'r');
    await until(() => seen.length > 0);
    expect(seen).toEqual(['remote@1']);
    expect(reader.get('remote').payload).toBe('r');
  });
});
