import * as fs from 'node:fs';
import { join } from 'node:path';
import { errorCode, listFolderSync, makePrivateFolderSync, TempNames, unlinkIfExistsSync } from './files';

/** Scratch folders (and files in them) untouched this long belong to a dead instance. */
const staleAfterMs = 60_000;

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

  constructor(private readonly parent: string) {
    this.path = join(parent, this.names.tag);
  }

  /** A fresh, never reused file name in the scratch folder (the folder is made on first use). */
  next(): string {
    this.ensure();
    return this.names.next(this.path);
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

  /** Removes the folder when it is empty (on dispose); a commit still in flight keeps it. */
  dispose(): void {
    try {
      fs.rmdirSync(this.path);
    } catch {
      // Not empty, or already gone: the next window's sweep takes it once it is stale.
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
