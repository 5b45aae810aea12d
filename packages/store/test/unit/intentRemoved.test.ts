import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileSystem } from '../../src/files';
import { openStore, recordFolders, tempFolder } from './helpers';

/**
 * A writer's intent removed under it — by hand, or by a process that wrongly took it for dead — no longer protects
 * what it read: collection may have passed its base. The writer must notice when it next moves its intent, and read
 * the head again instead of building on its cached record. The remover is played by the test through the
 * file-system seam, right after a link.
 */
describe("a writer whose intent was removed under it", () => {
  it('registers it again and reads the head before its next commit instead of trusting its cache', async () => {
    const dir = tempFolder();
    const real = fs as unknown as FileSystem;
    const trace = { removeIntentsAfterLink: 0, listings: [] as string[] };
    const seam: FileSystem = {
      ...real,
      linkSync: (from: string, to: string) => {
        real.linkSync(from, to);
        if (/v\d+\.json$/.test(to) && trace.removeIntentsAfterLink > 0 && --trace.removeIntentsAfterLink === 0) {
          const keyFolder = join(to, '..', '..');
          for (const name of fs.readdirSync(keyFolder)) if (name.startsWith('w-')) fs.unlinkSync(join(keyFolder, name));
        }
      },
      readdirSync: (path: string) => {
        trace.listings.push(path);
        return real.readdirSync(path);
      },
    };
    const logs: string[] = [];
    const store = openStore(dir, { keepVersions: 2, fileSystem: seam, log: (_level: string, message: string) => logs.push(message) } as never);
    await store.set('k', 0);
    const gen = recordFolders(dir)[0] ?? '';
    // Queued updates keep the intent and build on their own last commit without reading; after the second commit
    // the intent is moved up — and found gone.
    trace.removeIntentsAfterLink = 2;
    const listingsBefore = trace.listings.length;
    const results = await Promise.all([1, 2, 3, 4].map(() => store.update('k', (n: number) => n + 1)));
    expect(results.map((r) => r.version)).toEqual([2, 3, 4, 5]);
    expect(logs.some((m) => m.includes('intent was removed by someone else'))).toBe(true);
    // The commit after the discovery read the head: a listing of the generation folder.
    expect(trace.listings.slice(listingsBefore).filter((p) => p === gen).length).toBeGreaterThan(0);
    expect(await store.read('k')).toMatchObject({ version: 5, payload: 4 });
  });
});
