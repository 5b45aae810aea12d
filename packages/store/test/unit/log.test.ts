import { appendFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src';
import { openStore, recordFolders, tempFolder, until } from './helpers';

function logFiles(dir: string): string[] {
  return recordFolders(dir).flatMap((folder) => readdirSync(folder).filter((n) => n.startsWith('l-')));
}

describe('store.log', () => {
  it('two windows append at once; both read every event once, in the same order', async () => {
    const dir = tempFolder();
    const a = openStore(dir).log('history');
    const b = openStore(dir).log('history');
    await Promise.all([...Array.from({ length: 20 }, (_, i) => a.append(`a${i}`, { n: i })), ...Array.from({ length: 20 }, (_, i) => b.append(`b${i}`, { n: i }))]);
    await until(() => a.entries().length === 40 && b.entries().length === 40);
    expect(a.entries().map((e) => e.id)).toEqual(b.entries().map((e) => e.id));
    // Each writer's own events keep their order.
    expect(a.entries().filter((e) => e.id.startsWith('a')).map((e) => e.id)).toEqual(Array.from({ length: 20 }, (_, i) => `a${i}`));
    const stamps = a.entries().map((e) => e.stamp);
    expect([...stamps].sort()).toEqual(stamps);
  });

  it('an id appended twice, or by two windows, counts once', async () => {
    const dir = tempFolder();
    const a = openStore(dir).log('history');
    const b = openStore(dir).log('history');
    await a.append('session-1', { xp: 5 });
    await a.append('session-1', { xp: 5 });
    await b.append('session-1', { xp: 5 });
    await until(() => b.entries().length === 1 && a.entries().length === 1);
    expect(a.entries()[0]).toMatchObject({ id: 'session-1', data: { xp: 5 } });
  });

  it('a later append in another window comes after what that window had read', async () => {
    const dir = tempFolder();
    const a = openStore(dir).log('l');
    const b = openStore(dir).log('l');
    await a.append('first', 1);
    await until(() => b.entries().length === 1);
    await b.append('second', 2);
    await until(() => a.entries().length === 2);
    expect(a.entries().map((e) => e.id)).toEqual(['first', 'second']);
  });

  it('folds a closed window’s log into the key’s record and removes its file; nothing lost or doubled', async () => {
    const dir = tempFolder();
    const first = openStore(dir);
    for (let i = 0; i < 5; i++) await first.log('l').append(`x${i}`, i);
    const other = openStore(dir).log('l');
    await other.append('y', 1);
    await first.dispose();
    expect(logFiles(dir)).toHaveLength(1);
    const later = openStore(dir).log('l');
    expect(later.entries().map((e) => e.id).sort()).toEqual(['x0', 'x1', 'x2', 'x3', 'x4', 'y']);
    await until(() => other.entries().length === 6);
  });

  it('a torn last line (a writer killed mid-append) is ignored; the lines before it count', async () => {
    const dir = tempFolder();
    const store = openStore(dir);
    await store.log('l').append('one', 1);
    await store.log('l').append('two', 2);
    const folder = recordFolders(dir)[0] as string;
    const file = join(folder, logFiles(dir)[0] as string);
    appendFileSync(file, '{"id":"three","t":"0000');
    expect(openStore(dir).log('l').entries().map((e) => e.id)).toEqual(['one', 'two']);
    const lines = readFileSync(file, 'utf8');
    expect(lines.split('\n')).toHaveLength(3);
  });

  it('refuses bad ids and data, appending nothing', async () => {
    const log = openStore().log('l');
    await expect(log.append('', 1)).rejects.toThrow(TypeError);
    await expect(log.append('x'.repeat(1025), 1)).rejects.toThrow(TypeError);
    await expect(log.append('k', { d: new Date() })).rejects.toThrow(TypeError);
    await expect(log.append('k', undefined)).rejects.toThrow(TypeError);
    expect(log.entries()).toEqual([]);
  });

  it('writes its whole log again into a new folder after the storage folder was emptied', async () => {
    const dir = tempFolder();
    const log = openStore(dir).log('l');
    await log.append('a', 1);
    await log.append('b', 2);
    rmSync(join(dir, 'records'), { recursive: true, force: true });
    await log.append('c', 3);
    expect(openStore(dir).log('l').entries().map((e) => e.id)).toEqual(['a', 'b', 'c']);
  });

  it('a key open as a log cannot be opened as a counter, nor the other way round; appends after dispose reject', async () => {
    const store = openStore();
    store.log('l');
    expect(() => store.counter('l')).toThrow(TypeError);
    store.counter('c');
    expect(() => store.log('c')).toThrow(TypeError);
    const log = store.log('l');
    await store.dispose();
    await expect(log.append('x', 1)).rejects.toThrow(StoreError);
  });
});
