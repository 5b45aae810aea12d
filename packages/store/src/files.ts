import * as nodeFs from 'node:fs';

/**
 * The file-system calls the store makes, in one object so that tests can inject the errors no real fault produces
 * on a test machine (EPERM on a folder fsync, EIO, EEXIST after a successful link, EBUSY on rename). Everything else
 * is tested against the real file system.
 */
export interface FileSystem {
  openSync(path: string, flags: number, mode?: number): number;
  closeSync(fd: number): void;
  writeSync(fd: number, bytes: Uint8Array, offset: number, length: number, position: number): number;
  readSync(fd: number, bytes: Uint8Array, offset: number, length: number, position: number): number;
  fstatSync(fd: number, options: { bigint: true }): nodeFs.BigIntStats;
  lstatSync(path: string, options: { bigint: true }): nodeFs.BigIntStats;
  linkSync(existing: string, name: string): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  unlink(path: string, callback: (error: NodeJS.ErrnoException | null) => void): void;
  rmdirSync(path: string): void;
  mkdirSync(path: string, options: { mode: number }): void;
  chmodSync(path: string, mode: number): void;
  fchmodSync(fd: number, mode: number): void;
  ftruncateSync(fd: number, length: number): void;
  readdirSync(path: string): string[];
  rmSync(path: string, options: { recursive: true; force: true }): void;
  fsync(fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void;
  fsyncSync(fd: number): void;
  /** A file's data (and its size), not its times: a convergent key's slot rewritten in place needs no more. */
  fdatasync(fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void;
}

export const realFileSystem: FileSystem = nodeFs as unknown as FileSystem;

export const fileMode = 0o600;
export const folderMode = 0o700;
export const isWindows = process.platform === 'win32';
const { O_CREAT, O_EXCL, O_RDONLY, O_WRONLY } = nodeFs.constants;
/** Where the platform has it (not Windows): never follow a symbolic link planted at one of our names. */
const noFollow = nodeFs.constants.O_NOFOLLOW ?? 0;
export const createFlags = O_CREAT | O_EXCL | O_WRONLY | noFollow;
export const readFlags = O_RDONLY | noFollow;

export function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * On Windows, antivirus scanners, indexers and backup tools open files for a moment, and a rename, unlink or link
 * touching such a file fails with EPERM, EBUSY or EACCES. Retry those (as graceful-fs does), a bounded number of
 * times — 8 tries over about a quarter of a second — then let the error through. Elsewhere only EBUSY is retried.
 */
export function retryTransient<R>(action: () => R): R {
  for (let attempt = 0; ; attempt++) {
    try {
      return action();
    } catch (error) {
      const code = errorCode(error);
      const transient = code === 'EBUSY' || (isWindows && (code === 'EPERM' || code === 'EACCES'));
      if (!transient || attempt >= 7) throw error;
      sleepSync(2 ** attempt);
    }
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Creates a private folder if missing (0700 whatever the umask, where the file system has modes). */
export function ensureFolder(fs: FileSystem, path: string): void {
  try {
    fs.mkdirSync(path, { mode: folderMode });
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    return;
  }
  if (!isWindows) modeAsGiven(() => fs.chmodSync(path, folderMode));
}

/**
 * A chmod the file system does not do (FAT and exFAT through FUSE answer ENOSYS, CIFS and some FUSE mounts EPERM or
 * ENOTSUP even for the owner of a file just made) is no problem: the mode is what that file system gives every file.
 * Failing there would report "cannot be written" where the true reason (no hard links, say) comes later.
 */
function modeAsGiven(chmod: () => void): void {
  try {
    chmod();
  } catch (error) {
    const code = errorCode(error);
    if (code !== 'ENOSYS' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EPERM') throw error;
  }
}

export function listFolder(fs: FileSystem, path: string): string[] {
  try {
    return fs.readdirSync(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return [];
    throw error;
  }
}

/** A file's bytes. */
export interface FileRead {
  bytes: Buffer;
}

/** Same file: device and 64-bit file id (`bigint`, as NTFS ids do not fit a double). */
export function sameFile(a: nodeFs.BigIntStats, b: nodeFs.BigIntStats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** Reads a whole file through one descriptor; undefined when it does not exist. */
export function readFile(fs: FileSystem, path: string): FileRead | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path, readFlags);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    // A symbolic link (refused by O_NOFOLLOW) or a folder where a file belongs: unreadable, never followed.
    if (errorCode(error) === 'ELOOP' || errorCode(error) === 'EISDIR') return { bytes: Buffer.alloc(0) };
    throw error;
  }
  try {
    const stats = fs.fstatSync(fd, { bigint: true });
    const size = Number(stats.size);
    let bytes = Buffer.allocUnsafe(Math.max(4096, size + 1));
    let length = 0;
    for (;;) {
      if (length === bytes.length) bytes = Buffer.concat([bytes, Buffer.allocUnsafe(bytes.length)]);
      const wanted = bytes.length - length;
      const n = fs.readSync(fd, bytes, length, wanted, length);
      length += n;
      // A read that stopped short exactly at the size fstat gave is the end: no further read to be told so.
      if (n === 0 || (length === size && n < wanted)) break;
    }
    return { bytes: bytes.subarray(0, length) };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes a new file (O_EXCL) and returns its open descriptor, for the caller to fsync and close. `fixMode`: the
 * umask takes the owner's bits (the store's probe file said so), so set 0600 explicitly.
 */
export function createFile(fs: FileSystem, path: string, bytes: Uint8Array, fixMode = false): number {
  const fd = fs.openSync(path, createFlags, fileMode);
  try {
    if (fixMode) modeAsGiven(() => fs.fchmodSync(fd, fileMode));
    writeAll(fs, fd, bytes);
    return fd;
  } catch (error) {
    closeQuietly(fs, fd);
    unlinkQuietly(fs, path);
    throw error;
  }
}

/** Replaces the whole content of a file open for writing (a temp file no other name points to). */
export function rewriteFile(fs: FileSystem, fd: number, bytes: Uint8Array): void {
  writeAll(fs, fd, bytes);
  fs.ftruncateSync(fd, bytes.length);
}

function writeAll(fs: FileSystem, fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written, written);
}

export function fsyncFd(fs: FileSystem, fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (error) => (error ? reject(error) : resolve())));
}

export function closeQuietly(fs: FileSystem, fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Already closed or invalid: nothing to release.
  }
}

export function unlinkQuietly(fs: FileSystem, path: string): void {
  try {
    retryTransient(() => fs.unlinkSync(path));
  } catch {
    // Gone already, or held: the sweep of dead writers' files removes it later.
  }
}

/** Flushes a folder's entries (the names in it) to disk. Not on Windows: Node cannot open a folder there. */
export function syncFolderSync(fs: FileSystem, path: string): void {
  const fd = fs.openSync(path, nodeFs.constants.O_RDONLY);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
