import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';

/**
 * File primitives with the store's privacy rules: files 0600 and folders 0700 set explicitly (a umask can only
 * narrow what `open` asks for, and the store must not depend on it), temp files created with O_EXCL under fresh
 * names (so a planted symlink is never followed), and record reads that refuse symlinks.
 */
export const fileMode = 0o600;
export const folderMode = 0o700;

const readFlags = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW;

export async function makePrivateFolder(path: string): Promise<boolean> {
  try {
    await fsp.mkdir(path, { mode: folderMode });
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    return false;
  }
  await fsp.chmod(path, folderMode);
  return true;
}

export function makePrivateFolderSync(path: string): void {
  try {
    fs.mkdirSync(path, { mode: folderMode });
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    return;
  }
  fs.chmodSync(path, folderMode);
}

/** A unique temp-file namer per instance: `.tmp-<tag>-<n>`, never a shared fixed name. */
export class TempNames {
  private readonly tag = randomBytes(6).toString('hex');
  private n = 0;
  next(folder: string): string {
    return join(folder, `.tmp-${this.tag}-${(this.n++).toString(36)}`);
  }
}

export function isTempName(name: string): boolean {
  return name.startsWith('.tmp-');
}

/** Creates a file (O_EXCL, 0600) holding `bytes` and returns it still open, so the caller chooses when to fsync. */
export async function createNewFile(path: string, bytes: Uint8Array): Promise<fsp.FileHandle> {
  const handle = await fsp.open(path, 'wx', fileMode);
  try {
    await handle.chmod(fileMode);
    await handle.writeFile(bytes);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fsp.unlink(path).catch(() => undefined);
    throw error;
  }
  return handle;
}

/** Writes bytes to a new file (O_EXCL, 0600); `durable` fsyncs it before returning. */
export async function writeNewFile(path: string, bytes: Uint8Array, durable: boolean): Promise<void> {
  const handle = await fsp.open(path, 'wx', fileMode);
  try {
    await handle.chmod(fileMode);
    await handle.writeFile(bytes);
    if (durable) await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fsp.unlink(path).catch(() => undefined);
    throw error;
  }
  await handle.close();
}

/** Makes a folder's entries (a new link, a removed name) durable. */
export async function syncFolder(path: string): Promise<void> {
  const handle = await fsp.open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The bytes of a file, or undefined when it does not exist. A symlink is refused (ELOOP). */
export async function readIfExists(path: string): Promise<Buffer | undefined> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(path, readFlags);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

export function readIfExistsSync(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path, readFlags);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export async function listFolder(path: string): Promise<string[]> {
  try {
    return await fsp.readdir(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  }
}

export function listFolderSync(path: string): string[] {
  try {
    return fs.readdirSync(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  }
}

export async function unlinkIfExists(path: string): Promise<void> {
  try {
    await fsp.unlink(path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
