import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageWrapper } from '../../src';
import { closeStores, deactivate, openStore } from '../../src/vscode';
import { createExtensionContext, disposeContext, fake } from '../../../../test/unit/vscode/fake-vscode';
import { tempFolder } from './helpers';

/** A LogOutputChannel's four levels, recorded. */
function channel(): { lines: string[]; debug(m: string): void; info(m: string): void; warn(m: string): void; error(m: string): void } {
  const lines: string[] = [];
  return { lines, debug: (m) => lines.push(`debug ${m}`), info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

afterEach(async () => {
  await closeStores();
  fake.reset();
});

describe('@breath-master/store/vscode', () => {
  it('opens the store on the extension\'s global storage folder and logs to the channel it is given', () => {
    const blocked = join(tempFolder(), 'a-file');
    writeFileSync(blocked, '');
    const log = channel();
    const store = openStore(createExtensionContext(join(blocked, 'storage')), { log });
    expect(store.storagePath).toBe(join(blocked, 'storage'));
    expect(log.lines.filter((l) => l.startsWith('error ') && l.includes('cannot be written'))).toHaveLength(1);
  });

  it('looks again when the window regains focus: a commit whose event was missed shows then', async () => {
    const dir = tempFolder();
    // Polling once an hour stands for a change feed that missed an event: only the focus can bring the commit in.
    const store = openStore(createExtensionContext(dir), { watch: 'poll', pollIntervalMs: 3_600_000 });
    expect(store.get('n', 0).payload).toBe(0);
    const other = new StorageWrapper({ globalStoragePath: dir }, { watch: 'poll', pollIntervalMs: 3_600_000 });
    await other.set('n', 7);
    await other.dispose();
    expect(store.get('n', 0).payload).toBe(0);
    fake.setWindowFocused(false);
    expect(store.get('n', 0).payload).toBe(0);
    fake.setWindowFocused(true);
    await new Promise((r) => setImmediate(r));
    expect(store.get('n', 0)).toMatchObject({ version: 1, payload: 7 });
  });

  it('deactivate waits for queued updates, and the store is closed with the extension', async () => {
    const dir = tempFolder();
    const context = createExtensionContext(dir);
    const store = openStore(context);
    const updates = [1, 2, 3].map(() => store.update('n', (n: number) => n + 1, 0));
    let updated = false;
    void Promise.all(updates).then(() => (updated = true));
    await deactivate();
    expect(updated).toBe(true);
    expect(await new StorageWrapper({ globalStoragePath: dir }).read('n')).toMatchObject({ version: 3, payload: 3 });
    await expect(store.update('n', (n: number) => n + 1)).rejects.toMatchObject({ name: 'StoreError' });

    // Without deactivate, disposing the extension's subscriptions closes it too.
    const again = openStore(createExtensionContext(dir));
    expect(again.get('n').payload).toBe(3);
    const context2 = createExtensionContext(dir);
    const third = openStore(context2);
    disposeContext(context2);
    await expect(third.update('n', (n: number) => n + 1)).rejects.toMatchObject({ name: 'StoreError' });
  });
});
