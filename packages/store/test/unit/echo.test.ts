import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FileSystem } from '../../src/files';
import { openStore, tempFolder } from './helpers';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A record never changes once linked, so the file events of a window's own commit (its echo) and of collection name
 * records it already knows or has passed: the change feed looks at nothing for them — no stat, no listing, no read.
 */
describe.skipIf(process.platform !== 'linux')("a window's own commit, heard back from the change feed", () => {
  it('costs no file-system call', async () => {
    const calls: string[] = [];
    const real = fs as unknown as FileSystem;
    const counting: FileSystem = {
      ...real,
      lstatSync: ((path: string, options: { bigint: true }) => {
        calls.push(`lstat ${path}`);
        return real.lstatSync(path, options);
      }) as FileSystem['lstatSync'],
      readdirSync: (path: string) => {
        calls.push(`readdir ${path}`);
        return real.readdirSync(path);
      },
      openSync: (path: string, flags: number, mode?: number) => {
        calls.push(`open ${path}`);
        return real.openSync(path, flags, mode);
      },
    };
    // keepVersions high: no collection (which lists folders) in these few commits.
    const store = openStore(tempFolder(), { watch: 'events', keepVersions: 100, fileSystem: counting } as never);
    await store.set('k', 0);
    await sleep(100); // the first commit's folder events (new key folder) are read
    for (let i = 1; i <= 3; i++) {
      calls.length = 0;
      await store.set('k', i);
      await sleep(100); // its echo arrives (often while the commit's fsyncs run) and is handled
      // The commit itself opens its temp file and the folder it flushes, nothing else; the echo adds nothing.
      expect(calls.filter((c) => !c.startsWith("open "))).toEqual([]);
      expect(calls.filter((c) => /v\d+\.json$/.test(c))).toEqual([]);
    }
  });
});
