import * as fs from 'node:fs';
import { dirname, join } from 'node:path';
import {
  closeQuietly,
  createNewFileSync,
  errorCode,
  fsyncFd,
  isTempName,
  listFolderSync,
  makePrivateFolderSync,
  readIfExistsSync,
  syncFolder,
  TempNames,
  unlinkIfExistsSync,
  writeDurableFileSync,
} from './files';
import { ScratchFolder } from './scratchFolder';
import { Trash } from './trash';
import { corruptCopyPrefix, decodeRecord, fingerprint, prevOf, StoredRecord, versionFileName, versionsIn } from './record';

/** What a writer builds on: the highest version file *N* of a key (0 when there is none). */
export interface Head {
  version: number;
  /** The decoded record; undefined when N = 0 or when v<N> is unreadable. */
  record?: StoredRecord;
  /** Fingerprint of v<N>'s bytes: the successor's `prev`. Undefined when N = 0. */
  fingerprint?: string;
  /** Bytes of v<N>, when they were read (not when the caller's cached record was the head). */
  bytes?: Buffer;
  /** All committed versions present, ascending (includes N). */
  versions: number[];
  names: string[];
}

/** A record the caller already knows, with the fingerprint of its bytes: reading the head can skip it. */
export interface KnownRecord {
  record: StoredRecord;
  fingerprint: string;
}

/** How one compare-and-set attempt ended. `committed` still owes the fsyncs (`durable`) before acknowledging. */
export type Attempt =
  | {
      outcome: 'committed';
      versions: number[];
      /** Still a name of our record, in the scratch folder: the caller renames it into the change feed. */
      tempPath: string;
      durable: () => Promise<void>;
    }
  | { outcome: 'conflict' }
  | { outcome: 'undecided'; settle: () => Promise<Attempt> };

/** Records left by a writer that proved a resurrection but died before removing it are collected after this. */
const orphanAgeMs = 10 * 60_000;
/** Temp files this old belong to a dead or stuck writer. */
const tempAgeMs = 60_000;
/** How long a writer waits for a collector that may be putting its record back (rename → check → link back). */
const asideWaitMs = 1_000;

/**
 * The folder of one key and the commit protocol on it (docs/design.md, "The commit protocol"):
 * a version is committed by link(2)ing a temp file to `v<N+1>.json`; EEXIST is a conflict.
 *
 * Everything between listing the head and deciding the commit runs synchronously. On a local disk that is a dozen
 * syscalls of a few microseconds each; done asynchronously, each would be a thread-pool round trip of 50–100 µs
 * of CPU and an open window for other processes to collide in (measured: 6× the CPU per update at 4 processes).
 * Only the fsyncs, which wait for the disk, are asynchronous.
 */
export class RecordFolder {
  private ensured = false;
  /** When stale temp files were last looked for (once a minute is plenty: only dead writers leave them). */
  private sweptAt = 0;

  constructor(
    readonly key: string,
    readonly path: string,
    private readonly temp: TempNames,
    /** Where commit temp files are written (scratchFolder.ts). */
    private readonly scratch: ScratchFolder,
    /** Where collected versions go until they are freed (trash.ts). */
    private readonly trash: Trash,
  ) {}

  /**
   * Lists the folder and reads the newest version. When it is the version of `known`, that record is used
   * instead of reading it again: a version's bytes never change while it is the newest (a number is only ever
   * re-taken, by a stale writer, once versions above it exist — and the newest is never collected). Only for
   * learning of changes: a commit always reads its base, so even a storage folder emptied and refilled behind
   * our back up to the same version is built on as it is on disk.
   */
  readHeadSync(known?: KnownRecord): Head {
    for (;;) {
      const names = listFolderSync(this.path);
      const versions = versionsIn(names);
      const top = versions.at(-1);
      if (top === undefined) return { version: 0, versions, names };
      if (known?.record.version === top) return { version: top, record: known.record, fingerprint: known.fingerprint, versions, names };
      const bytes = readRecordBytesSync(join(this.path, versionFileName(top)));
      // Gone between listing and reading: only collection removes versions, and never the newest, so list again.
      if (bytes === undefined) continue;
      const record = decodeRecord(bytes, this.key, top);
      const head: Head = { version: top, bytes, fingerprint: fingerprint(bytes), versions, names };
      if (record) head.record = record;
      return head;
    }
  }

  /** For recovery from an unreadable head: the newest readable record below it, if any. */
  newestReadableBelow(head: Head): StoredRecord | undefined {
    for (let i = head.versions.length - 1; i >= 0; i--) {
      const version = head.versions[i];
      if (version === undefined || version >= head.version) continue;
      let bytes: Buffer | undefined;
      try {
        bytes = readRecordBytesSync(join(this.path, versionFileName(version)));
      } catch {
        continue;
      }
      const record = bytes && decodeRecord(bytes, this.key, version);
      if (record) return record;
    }
    return undefined;
  }

  /**
   * Keeps the bytes of an unreadable record for support. The copy is named by the bytes' fingerprint and made
   * with link(2), so windows that find the same damage at once keep exactly one copy.
   */
  keepCorruptCopy(head: Head): void {
    const bytes = head.bytes ?? Buffer.alloc(0);
    const name = `${corruptCopyPrefix(head.version)}${fingerprint(bytes).slice(0, 12)}.json`;
    if (head.names.includes(name)) return;
    this.ensure();
    const tmp = this.temp.next(this.path);
    const fd = createNewFileSync(tmp, bytes);
    try {
      fs.fsyncSync(fd);
      linkUnlessExists(tmp, join(this.path, name));
    } finally {
      closeQuietly(fd);
      unlinkIfExistsSync(tmp);
    }
  }

  /**
   * One compare-and-set attempt: commits `bytes` as `version` (= head + 1) or reports a conflict, synchronously
   * up to the decision. The record is fsync'd after its link, not before: no disk flush sits in the window
   * between reading the head and linking, and nothing acknowledged depends on it — `update` resolves only after
   * `durable()` (the record and the folder fsync'd), and a record built on ours holds the whole value.
   */
  attempt(version: number, bytes: Buffer): Attempt {
    this.ensure();
    const { fd, path: tmp } = this.scratch.take(bytes);
    const target = join(this.path, versionFileName(version));
    const conflict = (): Attempt => {
      closeQuietly(fd);
      unlinkIfExistsSync(tmp);
      return { outcome: 'conflict' };
    };
    const committed = (versions: number[]): Attempt => ({ outcome: 'committed', versions, tempPath: tmp, durable: () => this.durable(fd) });
    try {
      try {
        fs.linkSync(tmp, target);
      } catch (error) {
        // The key's folder was removed behind our back (someone cleared the storage): make it again, once.
        if (errorCode(error) !== 'ENOENT') throw error;
        this.ensured = false;
        this.ensure();
        fs.linkSync(tmp, target);
      }
    } catch (error) {
      if (errorCode(error) === 'EEXIST') {
        // Never linked, so never seen by anyone: the next attempt rewrites it instead of making another file.
        this.scratch.giveBack({ fd, path: tmp });
        return { outcome: 'conflict' };
      }
      closeQuietly(fd);
      unlinkIfExistsSync(tmp);
      throw error;
    }
    try {
      // The resurrection check: had this number been committed (and collected) before? See design.md.
      const versions = versionsIn(listFolderSync(this.path));
      // Versions never go down and the newest is never collected: a number re-taken after collection always
      // has versions above it, so nothing above ours now means nothing was at our link, and ours was free.
      if ((versions.at(-1) ?? 0) <= version) return committed(versions);
      // Whoever linked version + 1 built it on the one real record of our number (the head they listed):
      // its `prev` says whether that is ours.
      const successor = readRecordBytesSync(join(this.path, versionFileName(version + 1)));
      if (successor !== undefined) {
        const prev = prevOf(successor);
        // A successor damaged by hand cannot vouch either way; keeping the commit risks nothing worse than the
        // damage itself, while retrying could apply this update twice.
        if (prev === undefined || prev === fingerprint(bytes)) return committed(versions);
        this.unlinkIfSameFile(target, tmp);
        return conflict();
      }
      return { outcome: 'undecided', settle: () => this.settle(fd, tmp, target, versions, conflict, committed) };
    } catch (error) {
      closeQuietly(fd);
      unlinkIfExistsSync(tmp);
      throw error;
    }
  }

  /**
   * Our number's successor is gone (collected) too. Collection removes a version only once the record it was
   * built on no longer has its name (collect, below), so had ours been the real one it would be gone first:
   * ours was collected as a proven ancestor iff it is in the trash under its own inode number (or already freed:
   * no name left but our temp name, link count 1). Still at its name: an orphan. In the trash under another
   * number: an orphan a collector found in its way — unless the collector is just putting it back, so look again
   * for up to a second.
   */
  private async settle(
    fd: number,
    tmp: string,
    target: string,
    versions: number[],
    conflict: () => Attempt,
    committed: (versions: number[]) => Attempt,
  ): Promise<Attempt> {
    try {
      for (const deadline = Date.now() + asideWaitMs; Date.now() < deadline; await sleep(25)) {
        const ours = fs.fstatSync(fd);
        if (ours.nlink <= 1 || this.trash.holdsAsProven(ours)) return committed(versions);
        if (isSameFile(target, tmp)) {
          this.unlinkIfSameFile(target, tmp);
          return conflict();
        }
      }
      // Still elsewhere: in the trash under another inode's number (a collector found it in the way of the
      // record it proved, and could not put it back), so an orphan.
      return conflict();
    } catch (error) {
      closeQuietly(fd);
      unlinkIfExistsSync(tmp);
      throw error;
    }
  }

  /** The record's bytes and the folder's new entry reach the disk; the two flushes run side by side. */
  private async durable(fd: number): Promise<void> {
    // allSettled, not all: the descriptor may be closed only once its fsync has returned, even if the other failed.
    const [record, folder] = await Promise.allSettled([fsyncFd(fd), syncFolder(this.path)]);
    closeQuietly(fd);
    if (record.status === 'rejected') throw record.reason;
    if (folder.status === 'rejected') throw folder.reason;
  }

  /**
   * Removes the file at `path` only if it is still the one `seen` described. Unlinking by name would race: a
   * stalled writer may re-link the name between our look and our unlink. So the file is first taken aside by an
   * atomic rename, checked, and put back if it changed hands. While aside it keeps a name (its link count stays
   * ≥ 2 with its writer's temp name), which is what a writer's resurrection check looks at.
   */
  private removeIfUnchanged(path: string, seen: fs.Stats): void {
    // Named after the inode we proved, before the rename: whatever lands there, its writer can tell (trash.ts).
    const aside = this.trash.nameFor(seen);
    try {
      fs.renameSync(path, aside);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return;
      throw error;
    }
    const taken = fs.lstatSync(aside);
    if (taken.ino !== seen.ino || taken.dev !== seen.dev) {
      // Changed hands: put it back. If the name was taken again meanwhile, it stays in the trash under a number
      // not its own, which its writer's check reads as the orphan it is; the trash sweep removes it later.
      if (linkUnlessExists(aside, path)) unlinkIfExistsSync(aside);
      return;
    }
    // Freeing it is left to the trash: when this window is idle, or once it holds many.
    this.trash.hold(aside);
  }

  private unlinkIfSameFile(target: string, tmp: string): void {
    if (isSameFile(target, tmp)) unlinkIfExistsSync(target);
  }

  /**
   * Bounds the files of a key: versions up to head − keep are removed in ascending order — each only once its
   * successor's `prev` proves it was built on (an ancestor), and only once the record it was itself built on has
   * no name left, so that even concurrent collectors remove the chain from the bottom up (a writer's
   * resurrection check relies on it). Unproven versions (orphans) go only when old. Stale temp files go too.
   * Synchronous, like the attempt (the store runs it while its own fsyncs are in flight).
   */
  collect(versions: number[], keep: number, log: (message: string) => void): void {
    const now = Date.now();
    const first = versions[0];
    const limit = (versions.at(-1) ?? 0) - keep;
    // Whether the real record below the current candidate has lost its name: checked on disk for the first
    // candidate, then known from this pass (we removed it, or it was absent, or it was an orphan).
    let predecessorGone: boolean | undefined;
    // Each version is read once: its bytes prove the one below it, then are judged themselves.
    let current = first !== undefined && first <= limit ? this.readWithStat(first) : undefined;
    for (let version = first ?? 1; version <= limit; version++) {
      const path = join(this.path, versionFileName(version));
      try {
        const next = this.readWithStat(version + 1);
        const here = current;
        current = next;
        if (here === undefined) {
          predecessorGone = true;
          continue;
        }
        if (next === undefined || prevOf(next.bytes) !== fingerprint(here.bytes)) {
          // Unproven and old: an orphan (a resurrection whose writer died before removing it), or a record
          // whose successor was damaged by hand; either way, after ten minutes nobody is checking against it.
          if (here.stat.mtimeMs < now - orphanAgeMs) this.removeIfUnchanged(path, here.stat);
          // A readable successor built on other bytes: this is an orphan, and the real record is gone.
          else if (next === undefined || typeof prevOf(next.bytes) !== 'string') break; // nothing to judge by yet
          predecessorGone = true;
          continue;
        }
        predecessorGone ??= this.isGoneOrNotBuiltOn(version - 1, prevOf(here.bytes));
        if (!predecessorGone) break; // another collector is below us: it goes on from there
        this.removeIfUnchanged(path, here.stat);
        predecessorGone = true;
      } catch (error) {
        log(`collecting ${path}: ${String(error)}`);
        break;
      }
    }
    if (now - this.sweptAt < tempAgeMs) return;
    this.sweptAt = now;
    for (const name of listFolderSync(this.path)) {
      if (!isTempName(name)) continue;
      const path = join(this.path, name);
      try {
        const stat = lstatIfExists(path);
        if (stat !== undefined && stat.mtimeMs < now - tempAgeMs) unlinkIfExistsSync(path);
      } catch (error) {
        log(`removing stale ${path}: ${String(error)}`);
      }
    }
  }

  /**
   * A version's bytes with the stat of the very file they were read from (fstat of the open descriptor), so a
   * proof about the bytes is a proof about that inode. Undefined when absent; a symlink reads as empty bytes.
   */
  private readWithStat(version: number): { stat: fs.Stats; bytes: Buffer } | undefined {
    const path = join(this.path, versionFileName(version));
    let fd: number;
    try {
      fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      if (errorCode(error) !== 'ELOOP') throw error;
      const stat = lstatIfExists(path);
      return stat && { stat, bytes: Buffer.alloc(0) };
    }
    try {
      return { stat: fs.fstatSync(fd), bytes: fs.readFileSync(fd) };
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Whether no record at `version` is the one whose fingerprint is `prev` (absent, or an orphan). */
  private isGoneOrNotBuiltOn(version: number, prev: string | null | undefined): boolean {
    if (version < 1 || typeof prev !== 'string') return true;
    const below = readRecordBytesSync(join(this.path, versionFileName(version)));
    return below === undefined || fingerprint(below) !== prev;
  }

  /** The key's folder and its `key.json` (which maps the folder back to the exact key). */
  private ensure(): void {
    if (this.ensured) return;
    let created: boolean;
    try {
      created = makePrivateFolderSync(this.path);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
      makePrivateFolderSync(dirname(this.path));
      created = makePrivateFolderSync(this.path);
    }
    if (created) fsyncFolderSync(dirname(this.path));
    const keyFile = join(this.path, 'key.json');
    let present: boolean;
    try {
      present = readIfExistsSync(keyFile) !== undefined;
    } catch {
      present = false;
    }
    if (!present) {
      const tmp = this.temp.next(this.path);
      writeDurableFileSync(tmp, Buffer.from(`${JSON.stringify({ key: this.key })}\n`));
      try {
        linkUnlessExists(tmp, keyFile);
      } finally {
        unlinkIfExistsSync(tmp);
      }
    }
    this.ensured = true;
  }
}

/** A record's bytes; a symlink or other non-file in its place reads as empty bytes (unreadable, not followed). */
function readRecordBytesSync(path: string): Buffer | undefined {
  try {
    return readIfExistsSync(path);
  } catch (error) {
    if (errorCode(error) === 'ELOOP' || errorCode(error) === 'EISDIR') return Buffer.alloc(0);
    throw error;
  }
}

/** link(2) that treats an existing target as "someone else did it"; false when it existed. */
function linkUnlessExists(existing: string, target: string): boolean {
  try {
    fs.linkSync(existing, target);
    return true;
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    return false;
  }
}

function lstatIfExists(path: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

function isSameFile(a: string, b: string): boolean {
  const sa = lstatIfExists(a);
  const sb = lstatIfExists(b);
  return sa !== undefined && sb !== undefined && sa.ino === sb.ino && sa.dev === sb.dev;
}

function fsyncFolderSync(path: string): void {
  const fd = fs.openSync(path, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
