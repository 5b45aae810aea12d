import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src';
import { openStore, recordFolders, tempFolder, versionFiles } from './helpers';

/** A history-like value: `n` sessions of JSON that compresses as real data does (repeated field names, close numbers). */
function history(n: number) {
  return { sessions: Array.from({ length: n }, (_, i) => ({ id: `s-${i.toString(36)}-${(i * 7919) % 1000}`, startedAt: 1_765_000_000_000 + i * 86_400_000, activeMs: 60_000 * (1 + (i % 20)), cycles: i % 17, bonusXp: i % 3 })) };
}

function newestFile(dir: string): Buffer {
  const folder = recordFolders(dir)[0] as string;
  return readFileSync(join(folder, versionFiles(folder).at(-1) as string));
}

describe('compression of large records', () => {
  it('stores a large record compressed behind a readable header, reads it back whole, and keeps small ones plain JSON', async () => {
    const dir = tempFolder();
    const store = openStore(dir, { compression: { thresholdBytes: 4096, quality: 4 } });
    const big = history(500);
    await store.set('history', big);
    const bytes = newestFile(dir);
    const plainLength = Buffer.byteLength(JSON.stringify(big));
    expect(bytes.length).toBeLessThan(plainLength / 3);
    const header = JSON.parse(bytes.subarray(0, bytes.indexOf(0x0a)).toString('utf8')) as Record<string, unknown>;
    expect(header).toMatchObject({ version: 1, key: 'history', encoding: 'br', size: plainLength });
    expect((await openStore(dir).read('history')).payload).toEqual(big);
    await store.set('small', { a: 1 });
    const folder = recordFolders(dir).find((f) => readFileSync(join(f, 'key.json'), 'utf8').includes('small')) as string;
    expect(JSON.parse(readFileSync(join(folder, 'v000000000001.json'), 'utf8'))).toMatchObject({ payload: { a: 1 } });
  });

  it('without the option (the default) even a large record stays plain JSON', async () => {
    const dir = tempFolder();
    await openStore(dir).set('history', history(500));
    expect(JSON.parse(newestFile(dir).toString('utf8'))).toMatchObject({ version: 1, key: 'history' });
  });

  it('a corrupt compressed record is a clear error, kept aside, and the next update builds on the last readable one', async () => {
    const dir = tempFolder();
    const logs: string[] = [];
    const store = openStore(dir, { compression: { thresholdBytes: 1024, quality: 4 }, log: (level, message) => logs.push(`${level}: ${message}`) });
    await store.set('history', history(100));
    await store.set('history', history(101));
    const folder = recordFolders(dir)[0] as string;
    const file = join(folder, 'v000000000002.json');
    const bytes = readFileSync(file);
    // Flip bytes inside the compressed part: the header still reads, the payload does not.
    for (let i = bytes.indexOf(0x0a) + 20; i < bytes.length; i += 97) bytes[i] = (bytes[i] as number) ^ 0x5a;
    writeFileSync(file, bytes);
    const reader = openStore(dir);
    await expect(reader.read('history')).rejects.toThrow(StoreError);
    expect(readdirSync(folder)).toContain('corrupt-v000000000002.json');
    const next = await reader.update<{ sessions: unknown[] }>('history', (h) => ({ sessions: [...h.sessions, 'x'] }));
    expect(next.version).toBe(3);
    expect(next.payload.sessions).toHaveLength(101);
  });

  it('a record claiming an impossible size or inflating beyond its claim is unreadable, never inflated without bound', async () => {
    const dir = tempFolder();
    const store = openStore(dir, { compression: { thresholdBytes: 1024, quality: 4 } });
    await store.set('history', history(100));
    const folder = recordFolders(dir)[0] as string;
    const file = join(folder, 'v000000000001.json');
    const bytes = readFileSync(file);
    const newline = bytes.indexOf(0x0a);
    const header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as Record<string, unknown>;
    for (const size of [10, 2 ** 40, -1]) {
      writeFileSync(file, Buffer.concat([Buffer.from(`${JSON.stringify({ ...header, size })}\n`), bytes.subarray(newline + 1)]));
      await expect(openStore(dir).read('history')).rejects.toThrow(StoreError);
    }
  });

  it('a record pretty-printed by hand still reads (its first line is no compressed header)', async () => {
    const dir = tempFolder();
    await openStore(dir).set('k', { a: 1 });
    const folder = recordFolders(dir)[0] as string;
    const file = join(folder, 'v000000000001.json');
    writeFileSync(file, JSON.stringify(JSON.parse(readFileSync(file, 'utf8')), null, 2));
    expect((await openStore(dir).read('k')).payload).toEqual({ a: 1 });
  });

  it('refuses a quality outside 0–11', () => {
    expect(() => openStore(tempFolder(), { compression: { quality: 12 } })).toThrow(TypeError);
    expect(() => openStore(tempFolder(), { compression: { quality: 1.5 } })).toThrow(TypeError);
  });
});
