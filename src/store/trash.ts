import * as fs from 'node:fs';
import { join } from 'node:path';
import { errorCode, listFolderSync, makePrivateFolderSync, TempNames, unlinkIfExistsSync } from './files';

/** This window removes its trash once it has committed nothing for this long… */
const idleMs = 500;
/** …or at once when it holds this many (so a window that never rests still frees space at its commit rate). */
const maxHeld = 512;
/** Trash older than this belongs to a window that closed or died before emptying it. */
const staleAfterMs = 60_000;
/** An orphan in the trash (see sweep) waits as long as orphans anywhere (recordFolder.ts). */
const orphanAfterMs = 10 * 60_000;
/** How many held files one commit looks at for reuse (one with a name left elsewhere goes to the back). */
const reuseLooks = 2;

/**
 * `<storage>/trash/`: where collection puts old versions, by rename, instead of unlinking them on the spot.
 * Making and freeing inodes are the dearest steps of a commit's housekeeping on some disks, so what a window holds
 * is first reused for its next commits (`reuse`); the rest is freed when the window is idle, or when it holds
 * `maxHeld` (design.md, "Collection of old versions").
 *
 * A file taken to the trash is named `<dev>-<ino>-…` after the inode the collector PROVED (an ancestor); the name
 * is chosen before the rename, so a stalled writer whose record it is can tell "collected as proven" (its inode
 * under its own number) from "a different file was in the way" (its inode under another number: an orphan).
 */
export class Trash {
  private readonly held: string[] = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private made = false;

  constructor(
    readonly path: string,
    private readonly names: TempNames,
  ) {}

  /** A fresh trash name for the file proven to be inode `proven.ino` on device `proven.dev`. */
  nameFor(proven: { dev: number; ino: number }): string {
    this.ensure();
    return join(this.path, `${proven.dev}-${proven.ino}-${this.names.next('').slice(1)}`);
  }

  /** Whether a collector took inode `file` to the trash under its own number: proven an ancestor, collected. */
  holdsAsProven(file: { dev: number; ino: number }): boolean {
    const prefix = `${file.dev}-${file.ino}-`;
    for (const name of listFolderSync(this.path)) {
      if (!name.startsWith(prefix)) continue;
      const stat = fs.lstatSync(join(this.path, name), { throwIfNoEntry: false });
      if (stat?.ino === file.ino && stat.dev === file.dev) return true;
    }
    return false;
  }

  /**
   * Moves a held file to `into` (a fresh scratch name) and opens it for writing, or undefined when none can be
   * reused. Only a file whose trash name is its LAST name: no writer's temp name (a stalled writer's check
   * looks at its record's names), no feed file, no version name. Nobody else ever adds a name to one of our trash
   * names, so its link count cannot go back up after the look. A reader that opened the record before it lost its
   * names may read the new bytes: every reader takes bytes that are not the record it asked for as "moved on"
   * (recordFolder.ts), never as damage.
   */
  reuse(into: string): number | undefined {
    for (let look = 0; look < reuseLooks && this.held.length > 0; look++) {
      const path = this.held.shift() as string;
      const stat = fs.lstatSync(path, { throwIfNoEntry: false });
      if (stat === undefined || !stat.isFile()) continue; // swept by a window that took it for a dead one's
      if (stat.nlink !== 1) {
        this.held.push(path);
        continue;
      }
      try {
        fs.renameSync(path, into);
      } catch (error) {
        if (errorCode(error) === 'ENOENT') continue;
        throw error;
      }
      return fs.openSync(into, fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW);
    }
    return undefined;
  }

  /** `path` (a file in the trash, proven collected) is held for reuse; freed when the window is idle, or at once if it holds many. */
  hold(path: string): void {
    this.held.push(path);
    if (this.held.length >= maxHeld) this.empty();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.empty(), idleMs);
    this.idleTimer.unref();
  }

  /** Frees what this window holds, in the thread pool (it is idle, or closing: nobody waits for this). */
  empty(): void {
    clearTimeout(this.idleTimer);
    for (const path of this.held.splice(0)) fs.unlink(path, () => undefined);
  }

  /**
   * Removes trash left by windows that closed or died. Proven records (under their own number) once a minute old;
   * an orphan (under another number) only after ten minutes, like orphans anywhere: until then a stalled writer
   * may still be checking against it, and with its last name gone it would look collected as proven.
   */
  sweep(now = Date.now()): void {
    for (const name of listFolderSync(this.path)) {
      const path = join(this.path, name);
      try {
        const stat = fs.lstatSync(path);
        const own = name.startsWith(`${stat.dev}-${stat.ino}-`);
        // A record's mtime is when it was written, before its link: this old, no writer is still checking it.
        if (stat.mtimeMs < now - (own ? staleAfterMs : orphanAfterMs)) unlinkIfExistsSync(path);
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error;
      }
    }
  }

  private ensure(): void {
    if (this.made) return;
    makePrivateFolderSync(this.path);
    this.made = true;
  }
}
