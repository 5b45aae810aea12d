import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageWrapper, StoreError } from '../../src';
import { canMount, type Mount, mountFat } from './mounts';

// The store on real FUSE file systems (see mounts.ts; skipped with a message where this machine cannot mount).

describe.runIf(canMount('fat'))('on FAT through FUSE (fusefat): no hard links, no chmod', () => {
  let fat: Mount | undefined;
  beforeAll(() => {
    fat = mountFat();
  });
  afterAll(() => fat?.unmount());

  it('a storage folder that does not exist yet: the log and every update give the hard-links reason, not the chmod error', async () => {
    const logs: string[] = [];
    const store = new StorageWrapper({ globalStoragePath: join(fat?.path ?? '', 'storage') }, { watch: 'poll', log: (_level, message) => logs.push(message) });
    expect(logs.join('\n')).toMatch(/has no hard links/);
    expect(logs.join('\n')).not.toMatch(/ENOSYS/);
    const failed = await store.update('n', (c: number) => c + 1, 0).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(StoreError);
    expect(String((failed as StoreError).message)).toMatch(/has no hard links/);
    expect((failed as StoreError).applied).toBe(false);
    expect(store.get('n', 0).payload).toBe(0);
    await store.dispose();
  });
});
