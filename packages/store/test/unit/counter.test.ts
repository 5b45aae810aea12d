import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src';
import { counterType } from '../../src/convergent/counter';
import { openStore, recordFolders, tempFolder, until } from './helpers';

function slotFiles(dir: string): string[] {
  return recordFolders(dir).flatMap((folder) => readdirSync(folder).filter((n) => n.startsWith('c-')));
}

describe('store.counter', () => {
  it('adds up the adds of two windows, each seeing the other’s through its change event', async () => {
    const dir = tempFolder();
    const a = openStore(dir).counter('xp');
    const b = openStore(dir).counter('xp');
    const seenByB: number[] = [];
    b.onDidChange((value) => seenByB.push(value));
    expect(await a.add(5)).toBe(5);
    await until(() => b.value() === 5);
    expect(await b.add(-2)).toBe(3);
    await until(() => a.value() === 3);
    expect(seenByB).toEqual([5, 3]);
  });

  it('writes concurrent adds of one window together (one write per batch) and loses none', async () => {
    const dir = tempFolder();
    const counter = openStore(dir).counter('n');
    const results = await Promise.all(Array.from({ length: 200 }, () => counter.add(1)));
    expect(counter.value()).toBe(200);
    expect(Math.max(...results)).toBe(200);
    const body = JSON.parse(readFileSync(join(recordFolders(dir)[0] as string, slotFiles(dir)[0] as string), 'utf8').split('\n')[0] as string) as { seq: number };
    // 200 adds queued in one turn: the first write carries one, the next all the others.
    expect(body.seq).toBeLessThan(10);
    expect(openStore(dir).counter('n').value()).toBe(200);
  });

  it('folds a window’s contribution into the key’s record when it is disposed, and removes its files', async () => {
    const dir = tempFolder();
    const first = openStore(dir);
    await first.counter('n').add(7);
    const other = openStore(dir).counter('n');
    await other.add(1);
    expect(slotFiles(dir)).toHaveLength(2);
    await first.dispose();
    // Only the other window's slot is left (one add: one slot so far).
    expect(slotFiles(dir)).toHaveLength(1);
    const later = openStore(dir);
    expect(later.counter('n').value()).toBe(8);
    expect(later.get<{ convergent: string; state: unknown }>('n').payload).toMatchObject({ convergent: 'counter', state: { '': { p: 7, n: 0 } } });
    expect(other.value()).toBe(8);
  });

  it('reads the other slot when the newest one is torn or damaged', async () => {
    const dir = tempFolder();
    const writer = openStore(dir).counter('n');
    await writer.add(1);
    await writer.add(1);
    const folder = recordFolders(dir)[0] as string;
    const newest = slotFiles(dir).find((n) => n.endsWith('-0.json')) as string;
    const text = readFileSync(join(folder, newest), 'utf8');
    writeFileSync(join(folder, newest), text.slice(0, text.length - 20));
    expect(openStore(dir).counter('n').value()).toBe(1);
    writeFileSync(join(folder, newest), text.replace('"p":2', '"p":9'));
    expect(openStore(dir).counter('n').value()).toBe(1);
  });

  it('refuses anything but a safe integer, adding nothing', async () => {
    const counter = openStore().counter('n');
    await expect(counter.add(1.5)).rejects.toThrow(TypeError);
    await expect(counter.add(Number.NaN)).rejects.toThrow(TypeError);
    await expect(counter.add('1' as unknown as number)).rejects.toThrow(TypeError);
    await expect(counter.add(Number.MAX_SAFE_INTEGER)).resolves.toBe(Number.MAX_SAFE_INTEGER);
    await expect(counter.add(1)).rejects.toThrow(RangeError);
    expect(counter.value()).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('reads a key holding another kind of value as empty, says so, and never overwrites it', async () => {
    const dir = tempFolder();
    const logs: string[] = [];
    const store = openStore(dir, { log: (level, message) => logs.push(`${level}: ${message}`) });
    await store.set('n', { hand: 'written' });
    const counter = store.counter('n');
    expect(counter.value()).toBe(0);
    expect(await counter.add(2)).toBe(2);
    await store.dispose();
    expect(logs.some((l) => l.startsWith('error:') && l.includes('does not hold a convergent counter'))).toBe(true);
    const again = openStore(dir);
    expect(again.get('n').payload).toEqual({ hand: 'written' });
  });

  it('a key opened as a counter and as another type in one store is a TypeError', () => {
    const store = openStore();
    store.counter('n');
    expect(() => store.convergent('n', { ...counterType, name: 'max' })).toThrow(TypeError);
    expect(store.convergent('n', counterType).value()).toBe(0);
  });

  it('writes its whole contribution again into a new folder after the storage folder was emptied', async () => {
    const dir = tempFolder();
    const store = openStore(dir);
    const counter = store.counter('n');
    await counter.add(3);
    rmSync(join(dir, 'records'), { recursive: true, force: true });
    expect(await counter.add(1)).toBe(4);
    expect(openStore(dir).counter('n').value()).toBe(4);
  });

  it('rejects adds after dispose', async () => {
    const store = openStore();
    const counter = store.counter('n');
    await store.dispose();
    await expect(counter.add(1)).rejects.toThrow(StoreError);
  });
});
