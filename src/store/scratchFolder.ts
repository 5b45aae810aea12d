import * as fs from 'node:fs';
import { join } from 'node:path';
import { closeQuietly, createNewFileSync, errorCode, listFolderSync, makePrivateFolderSync, TempNames, unlinkIfExistsSync } from './files';

/** Scratch folders (and files in them) untouched this long belong to a dead instance. */
const staleAfterMs = 60_000;
/** A kept temp file older than this is not reused: a sweep (of minute-old files) may have taken its name. */
const reuseWithinMs = 10_000;
const nothing = Buffer.alloc(0);

/** An open temp file in the scratch folder, not linked anywhere else: nobody but this instance knows it. */
export interface TempFile {
  fd: number;
  path: string;
}

/**
 * This instance's own folder for the temp files of its commits: `<storage>/tmp/<tag>/`. A record is written
 * here and link(2)ed into its key's folder (same file system), so the only operations in a key's folder —
 * which every window lists on every commit — are the commit links themselves. Creating and removing temp
 * files there took the folder's lock and a journal entry each, and under contention were the biggest cost
 * of an update (design.md, "The numbers").
 */
export class ScratchFolder {
  readonly path: string;
  private readonly names = new TempNames();
  private made = false;
  /** Temp files ready to be rewritten: left by attempts that lost their link (never linked, never seen). */
  private readonly ready: Array<TempFile & { at: number }> = [];
  private disposed = false;

  constructor(
    private readonly parent: string,
    /** Where a file that can be reused comes from (the trash: collected records whose last name it holds). */
    private readonly reusable?: { reuse(into: string): number | undefined },
  ) {
    this.path = join(parent, this.names.tag);
  }

  /** A fresh, never reused file name in the scratch folder (the folder is made on first use). */
  next(): string {
    this.ensure();
    return this.names.next(this.path);
  }

  /**
   * A temp file for the next commit, open for writing; what it holds is rewritten by `write`. It is prepared
   * BEFORE the head is read, so finding or making it adds nothing to the window between reading the head and
   * the link (the shorter that window, the fewer conflicts). A ready one comes first, else a collected record
   * from the trash — making and freeing a file cost a journal entry each and, on some disks, a fifth of a
   * millisecond of kernel time — else a new one (O_EXCL, 0600).
   */
  prepare(): TempFile {
    for (let file = this.ready.pop(); file !== undefined; file = this.ready.pop()) {
      if (Date.now() - file.at < reuseWithinMs) return { fd: file.fd, path: file.path };
      this.discard(file);
    }
    const reused = this.reuse();
    if (reused !== undefined) return reused;
    try {
      const path = this.next();
      return { fd: createNewFileSync(path, nothing), path };
    } catch (error) {
      // The scratch folder was swept or the storage cleared behind our back: make it again, once.
      if (errorCode(error) !== 'ENOENT') throw error;
      this.remake();
      const path = this.next();
      return { fd: createNewFileSync(path, nothing), path };
    }
  }

  /** Makes `file` hold exactly `bytes`. On failure (a full disk) the file is removed and the error thrown. */
  write(file: TempFile, bytes: Buffer): void {
    try {
      for (let offset = 0; offset < bytes.length; ) offset += fs.writeSync(file.fd, bytes, offset, bytes.length - offset, offset);
      fs.ftruncateSync(file.fd, bytes.length);
    } catch (error) {
      this.discard(file);
      throw error;
    }
  }

  private reuse(): TempFile | undefined {
    if (this.reusable === undefined) return undefined;
    try {
      const path = this.next();
      const fd = this.reusable.reuse(path);
      return fd === undefined ? undefined : { fd, path };
    } catch {
      // The scratch folder or the trash went away behind our back: make a new file instead.
      return undefined;
    }
  }

  /** Takes back a temp file that was never linked (its attempt lost): the next attempt rewrites it. */
  giveBack(file: TempFile): void {
    if (this.disposed) this.discard(file);
    else this.ready.push({ ...file, at: Date.now() });
  }

  /** After ENOENT (the folder was swept or the storage cleared behind our back): make it again. */
  remake(): void {
    this.made = false;
    this.ensure();
  }

  /** Removes the scratch folders of dead instances: every entry older than a minute, then the folder. */
  sweep(now = Date.now()): void {
    for (const name of listFolderSync(this.parent)) {
      if (name === this.names.tag) continue;
      const folder = join(this.parent, name);
      try {
        const stat = fs.lstatSync(folder);
        if (stat.mtimeMs >= now - staleAfterMs) continue;
        if (!stat.isDirectory()) {
          unlinkIfExistsSync(folder);
          continue;
        }
        let fresh = false;
        for (const file of listFolderSync(folder)) {
          const path = join(folder, file);
          const fileStat = fs.lstatSync(path, { throwIfNoEntry: false });
          if (fileStat && fileStat.mtimeMs >= now - staleAfterMs) fresh = true;
          else unlinkIfExistsSync(path);
        }
        if (!fresh) fs.rmdirSync(folder);
      } catch (error) {
        // A live instance wrote meanwhile (ENOTEMPTY) or another window swept it first (ENOENT): both fine.
        if (errorCode(error) !== 'ENOTEMPTY' && errorCode(error) !== 'ENOENT') throw error;
      }
    }
  }

  /** Removes the ready temp files and the folder when it is empty; a commit still in flight keeps it. */
  dispose(): void {
    this.disposed = true;
    for (const file of this.ready.splice(0)) this.discard(file);
    try {
      fs.rmdirSync(this.path);
    } catch {
      // Not empty, or already gone: the next window's sweep takes it once it is stale.
    }
  }

  private discard(file: TempFile): void {
    closeQuietly(file.fd);
    try {
      unlinkIfExistsSync(file.path);
    } catch {
      // Left for the sweep of stale scratch folders.
    }
  }

  private ensure(): void {
    if (this.made) return;
    try {
      makePrivateFolderSync(this.path);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
      makePrivateFolderSync(this.parent);
      makePrivateFolderSync(this.path);
    }
    this.made = true;
  }
}
