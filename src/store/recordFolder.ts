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
}

/** Records left by a writer that proved a resurrection but died before removing it are collected after this. */
const orphanAgeMs = 10 * 60_000;
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
  ) {}

  async readHead(): Promise<Head> {
    for (;;) {
      const names = await listFolder(this.path);
      const versions = versionsIn(names);
      const top = versions.at(-1);
      if (top === undefined) return { version: 0, versions, names };
      const bytes = await readRecordBytes(join(this.path, versionFileName(top)));
      // Gone between listing and reading: only collection removes versions, and never the newest, so list again.
      if (bytes === undefined) continue;
      const record = decodeRecord(bytes, this.key, top);
      return record ? { version: top, bytes, record, versions, names } : { version: top, bytes, versions, names };
    }
  }

  /** Only the newest version number (one readdir, no read). */
  async topVersion(): Promise<number> {
    return versionsIn(await listFolder(this.path)).at(-1) ?? 0;
  }

  readHeadSync(): Head {
    for (;;) {
      const names = listFolderSync(this.path);
      const versions = versionsIn(names);
      const top = versions.at(-1);
      if (top === undefined) return { version: 0, versions, names };
      const bytes = readRecordBytesSync(join(this.path, versionFileName(top)));
      if (bytes === undefined) continue;
      const record = decodeRecord(bytes, this.key, top);
      return record ? { version: top, bytes, record, versions, names } : { version: top, bytes, versions, names };
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
  async tryCommit(version: number, bytes: Buffer, onVisible?: () => void): Promise<number[] | undefined> {
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
      const versions = await this.versionsIfNeverUsed(version, tmp, fingerprint(bytes));
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
  private async versionsIfNeverUsed(version: number, tmp: string, ours: string): Promise<number[] | undefined> {
    const versions = versionsIn(await listFolder(this.path));
    if ((versions.at(-1) ?? 0) <= version) return versions;
    const successor = await readRecordBytes(join(this.path, versionFileName(version + 1)));
    if (successor !== undefined) {
      const prev = prevOf(successor);
      // A successor damaged by hand cannot vouch either way; keeping the commit risks nothing worse than the
      // damage itself, while retrying could apply this update twice.
      return prev === undefined || prev === ours ? versions : undefined;
    }
    const stillOurs = await this.isSameFile(join(this.path, versionFileName(version)), tmp);
    return stillOurs ? undefined : versions;
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
    let nextBytes: Buffer | undefined;
    for (const version of versions) {
      if (version > limit) break;
      const path = join(this.path, versionFileName(version));
      try {
        const bytes = nextBytes ?? (await readRecordBytes(path));
        nextBytes = await readRecordBytes(join(this.path, versionFileName(version + 1)));
        if (bytes === undefined) continue;
        const proven = nextBytes !== undefined && prevOf(nextBytes) === fingerprint(bytes);
        if (proven || (await isOlderThan(path, now - orphanAgeMs))) await unlinkIfExists(path);
      } catch (error) {
        nextBytes = undefined;
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
