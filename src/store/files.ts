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
const writeNewFlags = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL;

/** Creates a folder (0700); false when it existed already. */
export function makePrivateFolderSync(path: string): boolean {
  try {
    fs.mkdirSync(path, { mode: folderMode });
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    return false;
  }
  fs.chmodSync(path, folderMode);
  return true;
}

/** A unique temp-file namer per instance: `.tmp-<tag>-<n>`, never a shared fixed name. */
export class TempNames {
  readonly tag = randomBytes(6).toString('hex');
  private n = 0;
  next(folder: string): string {
    return join(folder, `.tmp-${this.tag}-${(this.n++).toString(36)}`);
  }
}

export function isTempName(name: string): boolean {
  return name.startsWith('.tmp-');
}

/**
 * Creates a file (O_EXCL, 0600) holding `bytes` and returns its open descriptor, so the caller chooses when to
 * fsync. Sync, for the compare-and-set attempt (recordFolder.ts): on a local disk, three syscalls of microseconds.
 */
export function createNewFileSync(path: string, bytes: Uint8Array): number {
  const fd = fs.openSync(path, writeNewFlags, fileMode);
  try {
    fs.fchmodSync(fd, fileMode);
    writeAllSync(fd, bytes);
  } catch (error) {
    closeQuietly(fd);
    unlinkIfExistsSync(path);
    throw error;
  }
  return fd;
}

/** Writes bytes to a new file (O_EXCL, 0600), fsyncs and closes it (for rare files: it waits for the disk). */
export function writeDurableFileSync(path: string, bytes: Uint8Array): void {
  const fd = createNewFileSync(path, bytes);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function writeAllSync(fd: number, bytes: Uint8Array): void {
  for (let offset = 0; offset < bytes.length; ) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
}

/** fsync of an open descriptor, off the event loop (it can take milliseconds). */
export function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (error) => (error ? reject(error) : resolve())));
}

/** Makes a folder's entries durable; the open and close are sync (microseconds), the fsync is not. */
export async function syncFolder(path: string): Promise<void> {
  const fd = fs.openSync(path, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Already closed or never valid: nothing to release.
  }
}

export function unlinkIfExistsSync(path: string): void {
  try {
    fs.unlinkSync(path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
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

/** Records are small: one read of this size usually gets all of a file, without an fstat first. */
const smallFileBytes = 16 * 1024;

export function readIfExistsSync(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path, readFlags);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return readAllSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The whole content of an open file, by positioned reads from its start (one read for a small record). */
export function readAllSync(fd: number): Buffer {
  const first = Buffer.allocUnsafe(smallFileBytes);
  let size = fs.readSync(fd, first, 0, smallFileBytes, 0);
  if (size < smallFileBytes) return Buffer.from(first.subarray(0, size));
  const chunks = [first];
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.max(smallFileBytes, size));
    const n = fs.readSync(fd, chunk, 0, chunk.length, size);
    if (n === 0) return Buffer.concat(chunks, size);
    chunks.push(chunk.subarray(0, n));
    size += n;
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
