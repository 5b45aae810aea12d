import * as fsp from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  createNewFile,
  errorCode,
  isTempName,
  listFolder,
  listFolderSync,
  makePrivateFolder,
  readIfExists,
  readIfExistsSync,
  syncFolder,
  TempNames,
  unlinkIfExists,
  writeNewFile,
} from './files';
import { corruptCopyPrefix, decodeRecord, fingerprint, prevOf, StoredRecord, versionFileName, versionsIn } from './record';

/** What a writer builds on: the highest version file *N* of a key (0 when there is none) and its bytes. */
export interface Head {
  version: number;
  /** Bytes of v<N>; the successor's `prev` is their fingerprint. Undefined when N = 0. */
  bytes?: Buffer;
  /** The decoded record; undefined when N = 0 or when v<N> is unreadable. */
  record?: StoredRecord;
  /** All committed versions present, ascending (includes N). */
  versions: number[];
  names: string[];
  /** Wall-clock time (ms) just before the folder was listed: the start of a compare-and-set attempt. */
  listedAt: number;
}

/** Records left by a writer that proved a resurrection but died before removing it are collected after this. */
const orphanAgeMs = 10 * 60_000;
/** See RecordFolder's `collectAfterMs`. */
export const defaultCollectAfterMs = 2_000;
/** Temp files this old belong to a dead or stuck writer. */
const tempAgeMs = 60_000;

/**
 * The folder of one key and the commit protocol on it (docs/design.md, "The commit protocol"):
 * a version is committed by link(2)ing a fsync'd temp file to `v<N+1>.json`; EEXIST is a conflict.
 */
export class RecordFolder {
  private ensured = false;

  constructor(
    readonly key: string,
    readonly path: string,
    private readonly temp: TempNames,
    /**
     * A version is collected only once its link is this old (its ctime, which link(2) sets). A writer whose
     * attempt — from listing the head to its link — took less than half of it cannot have re-taken a collected
     * number, so it skips the resurrection check (design.md, "Why step 5 is sound").
     */
    private readonly collectAfterMs: number = defaultCollectAfterMs,
  ) {}

  async readHead(): Promise<Head> {
    for (;;) {
      const listedAt = Date.now();
      const names = await listFolder(this.path);
      const versions = versionsIn(names);
      const top = versions.at(-1);
      if (top === undefined) return { version: 0, versions, names, listedAt };
      const bytes = await readRecordBytes(join(this.path, versionFileName(top)));
      // Gone between listing and reading: only collection removes versions, and never the newest, so list again.
      if (bytes === undefined) continue;
      const record = decodeRecord(bytes, this.key, top);
      return record ? { version: top, bytes, record, versions, names, listedAt } : { version: top, bytes, versions, names, listedAt };
    }
  }

  /** Only the newest version number (one readdir, no read). */
  async topVersion(): Promise<number> {
    return versionsIn(await listFolder(this.path)).at(-1) ?? 0;
  }

  readHeadSync(): Head {
    for (;;) {
      const listedAt = Date.now();
      const names = listFolderSync(this.path);
      const versions = versionsIn(names);
      const top = versions.at(-1);
      if (top === undefined) return { version: 0, versions, names, listedAt };
      const bytes = readRecordBytesSync(join(this.path, versionFileName(top)));
      if (bytes === undefined) continue;
      const record = decodeRecord(bytes, this.key, top);
      return record ? { version: top, bytes, record, versions, names, listedAt } : { version: top, bytes, versions, names, listedAt };
    }
  }

  /** For recovery from an unreadable head: the newest readable record below it, if any. */
  async newestReadableBelow(head: Head): Promise<StoredRecord | undefined> {
    for (let i = head.versions.length - 1; i >= 0; i--) {
      const version = head.versions[i];
      if (version === undefined || version >= head.version) continue;
      const bytes = await readRecordBytes(join(this.path, versionFileName(version))).catch(() => undefined);
      const record = bytes && decodeRecord(bytes, this.key, version);
      if (record) return record;
    }
    return undefined;
  }

  /**
   * Keeps the bytes of an unreadable record for support. The copy is named by the bytes' fingerprint and made
   * with link(2), so windows that find the same damage at once keep exactly one copy.
   */
  async keepCorruptCopy(head: Head): Promise<void> {
    const bytes = head.bytes ?? Buffer.alloc(0);
    const name = `${corruptCopyPrefix(head.version)}${fingerprint(bytes).slice(0, 12)}.json`;
    if (head.names.includes(name)) return;
    await this.ensure();
    const tmp = this.temp.next(this.path);
    await writeNewFile(tmp, bytes, true);
    try {
      await fsp.link(tmp, join(this.path, name));
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    } finally {
      await unlinkIfExists(tmp);
    }
  }

  /**
   * One compare-and-set attempt: commits `bytes` as `version` (= head + 1) or reports a conflict.
   * Resolves with the versions present after the commit (for collection), or undefined on a conflict.
   * The record is fsync'd after its link, not before: that keeps the window between reading the head and linking
   * free of disk flushes (contention drops several-fold), and nothing acknowledged depends on it — `update`
   * resolves only after the record and the folder are fsync'd, and a record built on ours holds the whole value.
   * `onVisible` runs once the commit is certain, before the flushes, so other windows hear of it sooner.
   */
  async tryCommit(version: number, bytes: Buffer, listedAt: number, onVisible?: () => void): Promise<number[] | undefined> {
    await this.ensure();
    const tmp = this.temp.next(this.path);
    const handle = await createNewFile(tmp, bytes).catch(async (error: unknown) => {
      // The folder was removed behind our back (someone cleared the storage): make it again, once.
      if (errorCode(error) !== 'ENOENT') throw error;
      this.ensured = false;
      await this.ensure();
      return createNewFile(tmp, bytes);
    });
    const target = join(this.path, versionFileName(version));
    try {
      try {
        await fsp.link(tmp, target);
      } catch (error) {
        if (errorCode(error) === 'EEXIST') return undefined;
        throw error;
      }
      // Fast path: a number linked after our listing cannot have been collected yet (it is younger than
      // collectAfterMs), and one linked before it would have been in the listing — so ours was free.
      const quick = Date.now() - listedAt < this.collectAfterMs / 2;
      const versions = quick ? versionsIn(await listFolder(this.path)) : await this.versionsIfNeverUsed(version, tmp, fingerprint(bytes), handle);
      if (!versions) {
        await this.unlinkIfSameFile(target, tmp);
        return undefined;
      }
      onVisible?.();
      await handle.sync();
      await syncFolder(this.path);
      return versions;
    } finally {
      await handle.close().catch(() => undefined);
      await unlinkIfExists(tmp);
    }
  }

  /**
   * The resurrection check, after our link of `version` succeeded: had that number been committed (and then
   * collected) before? Versions never go down and the newest is never collected, so if nothing above `version`
   * exists now, nothing did at our link and the number was free. Otherwise the successor's `prev` says whether it
   * was built on our record. If the successor was collected too: collection removes a version only after its
   * successor proved it an ancestor, in ascending order — so had ours been the real one it would be gone first.
   */
  private async versionsIfNeverUsed(version: number, tmp: string, ours: string, handle: fsp.FileHandle): Promise<number[] | undefined> {
    const versions = versionsIn(await listFolder(this.path));
    if ((versions.at(-1) ?? 0) <= version) return versions;
    const successor = await readRecordBytes(join(this.path, versionFileName(version + 1)));
    if (successor !== undefined) {
      const prev = prevOf(successor);
      // A successor damaged by hand cannot vouch either way; keeping the commit risks nothing worse than the
      // damage itself, while retrying could apply this update twice.
      return prev === undefined || prev === ours ? versions : undefined;
    }
    // N+2 is gone too. Ours was collected (a proven ancestor) iff our record has no name left but our temp
    // name (link count 1). Still at its name: an orphan. Held aside under another name by a collector: wait
    // for it to finish (it removes a proven one, puts back anything else); still aside after a second: an orphan
    // kept aside.
    for (let waited = 0; waited < 40; waited++) {
      if ((await handle.stat()).nlink <= 1) return versions;
      if (await this.isSameFile(join(this.path, versionFileName(version)), tmp)) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return undefined;
  }

  /**
   * Removes the file at `path` only if it is still the one `seen` described. Unlinking by name would race: a
   * stalled writer may re-link the name between our look and our unlink. So the file is first taken aside by an
   * atomic rename, checked, and put back if it changed hands. While aside it keeps a name (its link count stays
   * ≥ 2 with its writer's temp name), which is what a writer's resurrection check looks at.
   */
  private async removeIfUnchanged(path: string, seen: { ino: number; dev: number }): Promise<void> {
    const aside = this.temp.next(this.path);
    try {
      await fsp.rename(path, aside);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return;
      throw error;
    }
    const taken = await fsp.lstat(aside);
    if (taken.ino === seen.ino && taken.dev === seen.dev) {
      await unlinkIfExists(aside);
      return;
    }
    try {
      await fsp.link(aside, path);
    } catch (error) {
      // The name was taken again meanwhile: leave this one aside (a temp name, swept when stale); its writer's
      // check finds it still named elsewhere and treats it as the orphan it is.
      if (errorCode(error) === 'EEXIST') return;
      throw error;
    }
    await unlinkIfExists(aside);
  }

  private async isSameFile(a: string, b: string): Promise<boolean> {
    const [sa, sb] = await Promise.all([fsp.lstat(a).catch(() => undefined), fsp.lstat(b).catch(() => undefined)]);
    return sa !== undefined && sb !== undefined && sa.ino === sb.ino && sa.dev === sb.dev;
  }

  private async unlinkIfSameFile(target: string, tmp: string): Promise<void> {
    if (await this.isSameFile(target, tmp)) await unlinkIfExists(target);
  }

  /**
   * Bounds the files of a key: when more than 2 × keep versions are present, versions up to head − keep are
   * removed in ascending order — each only once its successor's `prev` proves it was built on (an ancestor), so a
   * writer's resurrection check stays sound; unproven ones (orphans) only when old. Stale temp files go too.
   */
  async collect(versions: number[], keep: number, log: (message: string) => void): Promise<void> {
    if (versions.length <= 2 * keep) return;
    const now = Date.now();
    const limit = (versions.at(-1) ?? 0) - keep;
    for (const version of versions) {
      if (version > limit) break;
      const path = join(this.path, versionFileName(version));
      try {
        // Read fresh each time (never bytes read for an earlier step): the name may have changed hands since.
        const stat = await fsp.lstat(path).catch(() => undefined);
        if (stat === undefined) continue;
        // Young links are never collected: that is what lets a quick writer skip the resurrection check.
        if (stat.ctimeMs > now - this.collectAfterMs) break;
        const bytes = await readRecordBytes(path);
        const nextBytes = await readRecordBytes(join(this.path, versionFileName(version + 1)));
        if (bytes === undefined) continue;
        const proven = nextBytes !== undefined && prevOf(nextBytes) === fingerprint(bytes);
        if (proven || stat.mtimeMs < now - orphanAgeMs) await this.removeIfUnchanged(path, stat);
      } catch (error) {
        log(`collecting ${path}: ${String(error)}`);
      }
    }
    for (const name of await listFolder(this.path)) {
      if (!isTempName(name)) continue;
      const path = join(this.path, name);
      if (await isOlderThan(path, now - tempAgeMs)) await unlinkIfExists(path);
    }
  }

  /** The key's folder and its `key.json` (which maps the folder back to the exact key). */
  private async ensure(): Promise<void> {
    if (this.ensured) return;
    const created = await makePrivateFolder(this.path).catch(async (error: unknown) => {
      if (errorCode(error) !== 'ENOENT') throw error;
      await makePrivateFolder(dirname(this.path));
      return makePrivateFolder(this.path);
    });
    if (created) await syncFolder(dirname(this.path));
    const keyFile = join(this.path, 'key.json');
    if ((await readIfExists(keyFile).catch(() => undefined)) === undefined) {
      const tmp = this.temp.next(this.path);
      await writeNewFile(tmp, Buffer.from(`${JSON.stringify({ key: this.key })}\n`), true);
      try {
        await fsp.link(tmp, keyFile);
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
      } finally {
        await unlinkIfExists(tmp);
      }
    }
    this.ensured = true;
  }
}

/** A record's bytes; a symlink or other non-file in its place reads as empty bytes (unreadable, not followed). */
async function readRecordBytes(path: string): Promise<Buffer | undefined> {
  try {
    return await readIfExists(path);
  } catch (error) {
    if (errorCode(error) === 'ELOOP' || errorCode(error) === 'EISDIR') return Buffer.alloc(0);
    throw error;
  }
}

function readRecordBytesSync(path: string): Buffer | undefined {
  try {
    return readIfExistsSync(path);
  } catch (error) {
    if (errorCode(error) === 'ELOOP' || errorCode(error) === 'EISDIR') return Buffer.alloc(0);
    throw error;
  }
}

async function isOlderThan(path: string, cutoffMs: number): Promise<boolean> {
  const stat = await fsp.lstat(path).catch(() => undefined);
  return stat !== undefined && stat.mtimeMs < cutoffMs;
}
