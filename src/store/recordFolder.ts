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
  readAllSync,
  readIfExistsSync,
  syncFolder,
  TempNames,
  unlinkIfExistsSync,
  writeDurableFileSync,
} from './files';
import { ScratchFolder, type TempFile } from './scratchFolder';
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
/** How long a writer's check may take when commits keep coming too fast to judge, or a collector is putting its
 *  record back (rename → check → link back). */
const settleWaitMs = 5_000;
/** Past that, a check that still cannot judge (never seen: it needs two commits in every ~100 µs) gives up with an
 *  error rather than a guess. */
const givingUpMs = 55_000;
/**
 * Collection never removes a version less than this far below the newest (whatever a window's keepVersions):
 * a record read at name k while the newest stays below k + minKeep cannot have been collected and re-taken.
 */
export const minKeep = 2;

type Verdict = { kind: 'ours'; versions: number[] } | { kind: 'orphan' } | { kind: 'gone' } | { kind: 'moving' };

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
      // Not the record asked for: damaged — or it moved on while we read (collected and its file reused, which
      // needs two newer versions first). Only bytes read while v<top> was still the newest are damage.
      if (record === undefined && (versionsIn(listFolderSync(this.path)).at(-1) ?? 0) !== top) continue;
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
   * One compare-and-set attempt: commits `bytes` (whose fingerprint is `ours`) as `version` (= head + 1) or
   * reports a conflict, synchronously up to the decision. `temp` (from `ScratchFolder.prepare`) is ours from here.
   * The record is fsync'd after its link, not before: no disk flush sits in the window between reading the head
   * and linking, and nothing acknowledged depends on it — `update` resolves only after `durable()` (the record
   * and the folder fsync'd), and a record built on ours holds the whole value.
   */
  attempt(version: number, bytes: Buffer, ours: string, temp: TempFile): Attempt {
    try {
      this.ensure();
    } catch (error) {
      this.scratch.giveBack(temp);
      throw error;
    }
    this.scratch.write(temp, bytes);
    const { fd, path: tmp } = temp;
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
      for (let round = 0; round < 3; round++) {
        const verdict = this.judge(version, ours);
        if (verdict.kind === 'ours') return committed(verdict.versions);
        if (verdict.kind === 'orphan') {
          this.unlinkIfSameFile(target, tmp);
          return conflict();
        }
        if (verdict.kind === 'gone') break;
      }
      return { outcome: 'undecided', settle: () => this.settle(fd, tmp, target, version, ours, conflict, committed) };
    } catch (error) {
      closeQuietly(fd);
      unlinkIfExistsSync(tmp);
      throw error;
    }
  }

  /**
   * Whether our record at `version` is the real one, judged by the real record above it (design.md, "Why step 5
   * is sound"). Nothing above: ours (a number is only re-taken once versions above it exist, and the newest is
   * never collected). Otherwise the records from the newest down to `version + 1` are read: the newest is real if
   * it cannot have been collected and re-taken while we read it (the newest after our reads is less than
   * `minKeep` above it), and a record whose fingerprint is the `prev` of a real one is real. The real
   * `version + 1` was built on the real `version`: its `prev` decides. `gone`: the real chain stops above
   * `version + 1` (it was collected, bottom-up, so the real `version` was too); `moving`: commits came too fast to
   * judge this time.
   */
  private judge(version: number, ours: string): Verdict {
    const versions = versionsIn(listFolderSync(this.path));
    const top = versions.at(-1) ?? 0;
    if (top <= version) return { kind: 'ours', versions };
    const read = new Map<number, Buffer>();
    for (let k = top; k > version; k--) {
      const bytes = readRecordBytesSync(join(this.path, versionFileName(k)));
      if (bytes === undefined) break;
      read.set(k, bytes);
    }
    const topAfter = versionsIn(listFolderSync(this.path)).at(-1) ?? 0;
    let bytes = read.get(top);
    if (bytes === undefined || topAfter >= top + minKeep) return { kind: 'moving' };
    for (let k = top; k > version + 1; k--) {
      const below = read.get(k - 1);
      if (below === undefined || fingerprint(below) !== prevOf(bytes)) return { kind: 'gone' };
      bytes = below;
    }
    const prev = prevOf(bytes);
    // A real successor damaged by hand cannot vouch either way; keeping the commit risks nothing worse than the
    // damage itself, while retrying could apply this update twice.
    return prev === undefined || prev === ours ? { kind: 'ours', versions } : { kind: 'orphan' };
  }

  /**
   * The check could not decide at once: the real chain above our number is gone (collected), or commits came
   * too fast. When gone: collection removes a chain bottom-up and proves each record from a real one above, so
   * had ours been the real one it would be gone first — in the trash under its own inode number, or freed (no
   * name left but our temp name, link count 1). Still at its name: an orphan. In the trash under another number:
   * an orphan a collector found in its way, unless the collector is just putting it back, so look again.
   */
  private async settle(
    fd: number,
    tmp: string,
    target: string,
    version: number,
    ours: string,
    conflict: () => Attempt,
    committed: (versions: number[]) => Attempt,
  ): Promise<Attempt> {
    try {
      const deadline = Date.now() + settleWaitMs;
      for (;; await sleep(5)) {
        const verdict = this.judge(version, ours);
        if (verdict.kind === 'ours') return committed(verdict.versions);
        if (verdict.kind === 'orphan') {
          this.unlinkIfSameFile(target, tmp);
          return conflict();
        }
        if (verdict.kind === 'moving') {
          // Undecided is never taken for a conflict: a retry after a real commit would apply the update twice.
          if (Date.now() > deadline + givingUpMs) throw new Error(`could not tell whether version ${version} was committed: commits kept coming too fast to judge`);
          continue;
        }
        const record = fs.fstatSync(fd);
        if (record.nlink <= 1 || this.trash.holdsAsProven(record)) return committed(versionsIn(listFolderSync(this.path)));
        if (isSameFile(target, tmp)) {
          this.unlinkIfSameFile(target, tmp);
          return conflict();
        }
        // Still in the trash under another inode's number, for good: an orphan that a collector could not put back.
        if (Date.now() > deadline) return conflict();
      }
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
   * Bounds the files of a key: versions up to head − keep are removed. Which records are real is proven from
   * `anchor`, the record this instance has just committed (real by its check): walking down, a record whose
   * fingerprint is the `prev` of the real one above it is real. (A successor's `prev` alone proves nothing: a
   * stale writer may have built a resurrection on another resurrection.) Removal goes bottom-up — the lowest only
   * once the record it was built on has no name left — so even concurrent collectors remove a chain from the
   * bottom, which a writer's check relies on. Records below where the proof stops are left, unless ten minutes
   * old (orphans whose writer died). Stale temp files go too.
   */
  collect(anchor: { version: number; bytes: Buffer }, versions: number[], keep: number, log: (message: string) => void): void {
    const now = Date.now();
    const limit = Math.min((versions.at(-1) ?? 0) - Math.max(keep, minKeep), anchor.version - 1);
    const lowest = versions[0] ?? 1;
    const real: Array<{ version: number; stat: fs.Stats; bytes: Buffer }> = [];
    let provenDownTo = anchor.version;
    try {
      let above = anchor.bytes;
      for (let version = anchor.version - 1; version >= lowest; version--) {
        const record = this.readWithStat(version);
        if (record === undefined || fingerprint(record.bytes) !== prevOf(above)) break;
        if (version <= limit) real.push({ version, ...record });
        above = record.bytes;
        provenDownTo = version;
      }
      real.reverse();
      const bottom = real[0];
      if (bottom !== undefined && this.isGoneOrNotBuiltOn(bottom.version - 1, prevOf(bottom.bytes))) {
        for (const record of real) this.removeIfUnchanged(join(this.path, versionFileName(record.version)), record.stat);
      }
      for (const version of versions) {
        if (version >= provenDownTo || version > limit) break;
        const record = this.readWithStat(version);
        if (record !== undefined && record.stat.mtimeMs < now - orphanAgeMs) this.removeIfUnchanged(join(this.path, versionFileName(version)), record.stat);
      }
    } catch (error) {
      log(`collecting old versions in ${this.path}: ${String(error)}`);
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
      return { stat: fs.fstatSync(fd), bytes: readAllSync(fd) };
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
