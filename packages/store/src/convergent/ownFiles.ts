import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { StoreError } from '../errors';
import { closeQuietly, errorCode, fileMode, type FileSystem, isWindows, sameFile, syncFolderSync } from '../files';
import type { ConvergentHost } from './convergentKey';

const noFollow = nodeFs.constants.O_NOFOLLOW ?? 0;

/**
 * Writes `bytes` at `position` of a file only this writer writes (a convergent key's slot, a log), creating it, and
 * flushes its data (`fdatasync`: one flush, no folder change). `truncate`: the file ends after these bytes. Returns
 * whether the file was made now (its name still has to be flushed with the folder) and its file id.
 */
export async function writeOwnFile(fs: FileSystem, path: string, bytes: Buffer, position: number, truncate: boolean, fixMode: boolean): Promise<{ created: boolean; stats: nodeFs.BigIntStats }> {
  let created = false;
  let fd: number;
  try {
    fd = fs.openSync(path, nodeFs.constants.O_WRONLY | noFollow);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
    fd = fs.openSync(path, nodeFs.constants.O_WRONLY | nodeFs.constants.O_CREAT | nodeFs.constants.O_EXCL | noFollow, fileMode);
    created = true;
  }
  try {
    if (created && fixMode) fs.fchmodSync(fd, fileMode);
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written, position + written);
    if (truncate) fs.ftruncateSync(fd, position + bytes.length);
    const stats = fs.fstatSync(fd, { bigint: true });
    await new Promise<void>((resolve, reject) => fs.fdatasync(fd, (error) => (error ? reject(error) : resolve())));
    return { created, stats };
  } finally {
    closeQuietly(fs, fd);
  }
}

/**
 * Writes one of this writer's files into the key's current generation folder: `write(path, generation)` does the
 * writing (it may choose what to write by the generation: a new one, after the folder was emptied, gets everything).
 * A folder removed meanwhile (ENOENT, or the name no longer the file written) is made again and written again. Fails
 * with `applied: false` when nothing reached the file whole, `applied: true` when only the folder's flush failed.
 * Resolves with the generation written into.
 */
export async function writeInGeneration(
  host: ConvergentHost,
  key: string,
  fileName: string,
  write: (path: string, generation: string) => Promise<{ created: boolean; stats: nodeFs.BigIntStats }>,
): Promise<string> {
  for (let round = 0; ; round++) {
    let written: { created: boolean; stats: nodeFs.BigIntStats };
    let gen: { name: string; path: string } | undefined;
    try {
      gen = host.generation(key, true);
      if (gen === undefined) throw new StoreError(`Store key ${JSON.stringify(key)}: its folder could not be made`, { key, applied: false });
      written = await write(join(gen.path, fileName), gen.name);
    } catch (error) {
      if (errorCode(error) === 'ENOENT' && round < 8) {
        host.resetGeneration(key);
        continue;
      }
      throw Object.assign(error as Error, { applied: false });
    }
    try {
      if (written.created && !isWindows) syncFolderSync(host.fs, gen.path);
    } catch (error) {
      throw Object.assign(error as Error, { applied: true });
    }
    // The folder may have been removed and made again while this wrote: then the file written is in no folder.
    if (stillNamed(host.fs, join(gen.path, fileName), written.stats) || round >= 8) return gen.name;
    host.resetGeneration(key);
  }
}

function stillNamed(fs: FileSystem, path: string, stats: nodeFs.BigIntStats): boolean {
  try {
    return sameFile(fs.lstatSync(path, { bigint: true }), stats);
  } catch {
    return false;
  }
}

/** Whether a name exists (lstat: answered by a network file system's server, not its cached listing). */
export function exists(fs: FileSystem, path: string): boolean {
  try {
    fs.lstatSync(path, { bigint: true });
    return true;
  } catch {
    return false;
  }
}
