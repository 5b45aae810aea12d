import * as fs from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileSystem } from '../../src/files';
import { openStore, recordFolders, tempFolder } from './helpers';

/** A seam that logs folder flushes (by path) and renames, in order, and can fail the next renames of key folders. */
function tracingFs(trace: string[], failRenames: { code: string; left: number }): FileSystem {
  const real = fs as unknown as FileSystem;
  const paths = new Map<number, string>();
  return {
    ...real,
    openSync: (path: string, flags: number, mode?: number) => {
      const fd = real.openSync(path, flags, mode);
      paths.set(fd, path);
      return fd;
    },
    closeSync: (fd: number) => {
      paths.delete(fd);
      real.closeSync(fd);
    },
    fsyncSync: (fd: number) => {
      trace.push(`fsync ${paths.get(fd) ?? '?'}`);
      real.fsyncSync(fd);
    },
    renameSync: (from: string, to: string) => {
      if (dirname(to).endsWith('records') && failRenames.left > 0) {
        failRenames.left--;
        throw Object.assign(new Error(`${failRenames.code}: directory not empty, rename '${from}' -> '${to}'`), { code: failRenames.code });
      }
      trace.push(`rename ${from} -> ${to}`);
      real.renameSync(from, to);
    },
  };
}

describe('making a key folder', () => {
  it.each(['ENOTEMPTY', 'EEXIST'])('a rename answered %s (another window\'s folder was there, and is gone again) is retried, not a failed update', async (code) => {
    const dir = tempFolder();
    const failRenames = { code, left: 1 };
    const store = openStore(dir, { fileSystem: tracingFs([], failRenames) } as never);
    await expect(store.update('k', (n: number) => n + 1, 0)).resolves.toMatchObject({ version: 1, payload: 1 });
    expect(failRenames.left).toBe(0);
  });

  it.skipIf(process.platform === 'win32')('flushes every folder on the way to the records: the storage folder at open, the generation and key folders before the rename, records/ after', async () => {
    const dir = tempFolder();
    const trace: string[] = [];
    const store = openStore(join(dir, 'storage'), { fileSystem: tracingFs(trace, { code: '', left: 0 }) } as never);
    expect(trace).toEqual([`fsync ${join(dir, 'storage')}`, `fsync ${dir}`]);
    trace.length = 0;
    await store.set('k', 1);
    const gen = recordFolders(join(dir, 'storage'))[0] ?? '';
    const keyFolder = dirname(gen);
    const rename = trace.findIndex((t) => t.startsWith('rename '));
    const prepared = /^rename (\S+) -> /.exec(trace[rename] ?? '')?.[1] ?? '';
    expect(trace.slice(0, rename + 2)).toEqual([
      `fsync ${join(prepared, gen.slice(keyFolder.length + 1))}`,
      `fsync ${prepared}`,
      `rename ${prepared} -> ${keyFolder}`,
      `fsync ${join(dir, 'storage', 'records')}`,
    ]);
  });
});
