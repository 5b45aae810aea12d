import { describe, expect, it } from 'vitest';
import { openStore, tempFolder, until } from './helpers';

describe('store.maxRegister, store.addWinsSet, store.lwwMap across two windows', () => {
  it('a max register keeps the largest number either window offered', async () => {
    const dir = tempFolder();
    const a = openStore(dir).maxRegister('best');
    const b = openStore(dir).maxRegister('best');
    expect(a.value()).toBeNull();
    await a.offer(5);
    await b.offer(3);
    await until(() => a.value() === 5 && b.value() === 5);
    await b.offer(9);
    await until(() => a.value() === 9);
    await expect(a.offer(Number.NaN)).rejects.toThrow(TypeError);
  });

  it('an add and a remove made at once keep the element; a remove after seeing every add removes it', async () => {
    const dir = tempFolder();
    const a = openStore(dir).addWinsSet('days');
    const b = openStore(dir).addWinsSet('days');
    await a.add('2026-12-07');
    await until(() => b.has('2026-12-07'));
    // Both change before either sees the other's change.
    await Promise.all([a.delete('2026-12-07'), b.add('2026-12-07')]);
    await until(() => a.has('2026-12-07') && b.has('2026-12-07'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(a.value()).toEqual(['2026-12-07']);
    await a.delete('2026-12-07');
    await until(() => !b.has('2026-12-07'));
    expect(a.value()).toEqual([]);
  });

  it('a last-writer-wins map: a write made after seeing another wins, and deletes are kept', async () => {
    const dir = tempFolder();
    const a = openStore(dir).lwwMap('prefs');
    const b = openStore(dir).lwwMap('prefs');
    await a.set('pattern', 'box');
    await until(() => b.get('pattern') === 'box');
    await b.set('pattern', 'calm');
    await until(() => a.get('pattern') === 'calm');
    await a.set('__proto__', { goal: 5 });
    await until(() => JSON.stringify(b.get('__proto__')) === '{"goal":5}');
    await b.delete('pattern');
    await until(() => a.get('pattern') === undefined);
    expect(Object.keys(a.value())).toEqual(['__proto__']);
  });

  it('what windows wrote stays after they close (their contributions are folded into the record)', async () => {
    const dir = tempFolder();
    const first = openStore(dir);
    await first.addWinsSet('s').add('x');
    await first.lwwMap('m').set('k', 1);
    await first.maxRegister('x').offer(4);
    await first.dispose();
    const later = openStore(dir);
    expect(later.addWinsSet('s').value()).toEqual(['x']);
    expect(later.lwwMap('m').get('k')).toBe(1);
    expect(later.maxRegister('x').value()).toBe(4);
  });
});
