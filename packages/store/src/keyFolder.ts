import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { closeQuietly, createFile, ensureFolder, errorCode, type FileSystem, fsyncFd, isWindows, listFolder, readFile, retryTransient, rewriteFile, sameFile, syncFolderSync, unlinkQuietly } from './files';
import { decodeRecord, recordFileName, sequencesIn, type StoredRecord } from './record';
import { writtenByDeadProcess, type WriterTag } from './writers';

/** What all key folders of one store instance share. */
export interface FolderContext {
  fs: FileSystem;
  /** The instance's folder for temp files and for key folders being prepared (`<storage>/tmp`). */
  tmpPath: string;
  writer: WriterTag;
  nextName(): string;
  /** Created files need an explicit chmod to 0600 (the umask takes the owner's bits). */
  fixModes: boolean;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

/** A generation folder: where one life of a key's records is kept. A new one is made only if the key folder went. */
export interface Generation {
  name: string;
  path: string;
}

/** The newest record of a generation as read from disk. */
export interface Head {
  gen: Generation;
  /** 0 when the generation holds no record. */
  seq: number;
  /** undefined when `seq` is 0, when the newest file is damaged (then `damaged` holds its bytes), or unchanged. */
  record?: StoredRecord;
  /** The newest is the record the caller already knows (same generation and sequence): it was not read again. */
  unchanged?: boolean;
  damaged?: Buffer;
}

export type Attempt = { outcome: 'committed'; fd: number; tempPath: string } | { outcome: 'conflict' } | { outcome: 'gone' };

const intentPrefix = 'w-';

/**
 * One key's records (design.md, "Layout" and "The commit protocol"):
 *
 *     records/<name>/                       the key folder, created whole by one rename, so it has one generation
 *     records/<name>/g-<gen>/key.json       the exact key
 *     records/<name>/g-<gen>/v<seq>.json    one file per commit: link(2) of a complete file onto the next number
 *     records/<name>/w-<gen>-<writer>-<n>   an intent: "this writer may build on sequence h or above" ("h h")
 *
 * A writer registers its intent before it reads the head it builds on; collection never removes a sequence at or
 * above any live writer's h. So no sequence number is ever linked twice, and a successful link is the commit.
 */
export class KeyFolder {
  readonly path: string;
  private gen: Generation | undefined;
  /**
   * Descriptor of the generation folder, kept for its fsync (not on Windows: it cannot fsync a folder). `flushing`
   * counts fsyncs in flight on it: a generation given up meanwhile closes it only once they are done, or the
   * number could be reused by another file and the fsync land there while the update counts its folder as flushed.
   */
  private genDir: { fd: number; flushing: number; retired: boolean } | undefined;
  private intent: { path: string; h: number; gen: string } | undefined;
  /** The removal of collected records, running on libuv's thread pool (see `collect`). */
  private removing: Promise<void> | undefined;
  /** A collection asked for while records were still being removed: it runs when they are. */
  private collectAfter: { gen: Generation; head: number; keep: number } | undefined;
  /** The temp file of a lost race, linked nowhere: the update's next attempt rewrites it (see `attempt`). */
  private spare: { fd: number; tempPath: string } | undefined;

  constructor(
    readonly key: string,
    readonly name: string,
    recordsPath: string,
    private readonly ctx: FolderContext,
  ) {
    this.path = join(recordsPath, name);
  }

  /** The current generation; with `create`, makes the key folder if it is missing. */
  generation(create: boolean): Generation | undefined {
    if (this.gen !== undefined) return this.gen;
    for (let round = 0; ; round++) {
      const gens = listFolder(this.ctx.fs, this.path).filter((n) => n.startsWith('g-')).sort();
      const first = gens[0];
      if (first !== undefined) {
        if (gens.length > 1) this.ctx.log('warn', `${this.path} holds ${gens.length} generations; using ${first}`);
        const gen = { name: first, path: join(this.path, first) };
        this.switchTo(gen);
        return gen;
      }
      if (!create) return undefined;
      if (round > 8) throw new Error(`could not create the key folder ${this.path}`);
      this.createKeyFolder();
    }
  }

  /** The generation folder in use, without looking at the disk. */
  currentGeneration(): string | undefined {
    return this.gen?.name;
  }

  /** Forgets the cached generation (its folder went away); the next `generation()` looks again. */
  reset(): void {
    this.switchTo(undefined);
  }

  /**
   * The newest record. Loops while records are collected under it: each round means a newer one exists. When the
   * newest is `known` (same generation and sequence), it is not read again: a record never changes once linked.
   */
  readHead(known?: { gen: string; seq: number }, lost?: { gen: string; seq: number }): Head | undefined {
    for (let round = 0; ; round++) {
      const gen = this.generation(false);
      if (gen === undefined) return undefined;
      let names: string[];
      try {
        names = this.ctx.fs.readdirSync(gen.path);
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error;
        this.reset();
        continue;
      }
      const seqs = sequencesIn(names);
      let seq = seqs[seqs.length - 1];
      if (lost?.gen === gen.name && (seq ?? 0) < lost.seq && this.recordExists(gen, lost.seq)) seq = this.probeHead(gen, lost.seq);
      if (seq === undefined) return { gen, seq: 0 };
      if (known?.gen === gen.name && known.seq === seq) return { gen, seq, unchanged: true };
      const read = this.readSeq(gen, seq);
      if (read === undefined) {
        if (round > 1000) throw new Error(`${gen.path}: the newest record keeps vanishing`);
        continue;
      }
      const record = decodeRecord(read.bytes, this.key);
      return record ? { gen, seq, record } : { gen, seq, damaged: read.bytes };
    }
  }

  /**
   * A link onto `seq` was refused as taken, yet the listing names nothing that high: it is stale (a network file
   * system's directory cache — sshfs keeps listings for 20 s). Records from `seq` up are contiguous and this writer's
   * intent keeps them from collection, so the head is the last of seq, seq+1, … that a lookup (lstat, which no
   * cached listing answers) finds.
   */
  private probeHead(gen: Generation, seq: number): number {
    if (!this.staleListingSaid) this.ctx.log('warn', `${gen.path}: its listing is stale (a directory cache, as sshfs keeps without -o dir_cache=no); finding the newest record by name`);
    this.staleListingSaid = true;
    let head = seq;
    while (this.recordExists(gen, head + 1)) head++;
    return head;
  }
  private staleListingSaid = false;

  private recordExists(gen: Generation, seq: number): boolean {
    try {
      this.ctx.fs.lstatSync(join(gen.path, recordFileName(seq)), { bigint: true });
      return true;
    } catch {
      return false;
    }
  }

  /** The newest readable record below `seq` (recovery from a damaged head), if any is left. */
  readableBelow(gen: Generation, seq: number): { record: StoredRecord; seq: number } | undefined {
    const seqs = sequencesIn(listFolder(this.ctx.fs, gen.path)).filter((s) => s < seq);
    for (let i = seqs.length - 1; i >= 0; i--) {
      const read = this.readSeq(gen, seqs[i] as number);
      const record = read && decodeRecord(read.bytes, this.key);
      if (record) return { record, seq: seqs[i] as number };
    }
    return undefined;
  }

  /** Keeps the bytes of a damaged record for support (a second name: collection does not remove it). */
  keepDamaged(head: Head): void {
    try {
      this.ctx.fs.linkSync(join(head.gen.path, recordFileName(head.seq)), join(head.gen.path, `corrupt-${recordFileName(head.seq)}`));
    } catch (error) {
      if (errorCode(error) !== 'EEXIST' && errorCode(error) !== 'ENOENT') this.ctx.log('warn', `keeping a damaged record of ${this.path}: ${String(error)}`);
    }
  }

  /**
   * The compare-and-set: write `bytes` to a new temp file and link it as sequence `seq` of `gen`. The link either
   * creates the name (committed) or finds it taken (conflict). EEXIST can also follow a link that did happen (a
   * retransmitted NFS request), so the answer is checked against the file ids. 'gone': the generation or the
   * storage folder was removed meanwhile — nothing was committed.
   */
  attempt(gen: Generation, seq: number, bytes: Buffer): Attempt {
    const { fs } = this.ctx;
    let temp = this.spare;
    this.spare = undefined;
    try {
      if (temp) rewriteFile(fs, temp.fd, bytes);
      else {
        const tempPath = join(this.ctx.tmpPath, this.ctx.nextName());
        temp = { fd: createFile(fs, tempPath, bytes, this.ctx.fixModes), tempPath };
      }
    } catch (error) {
      if (temp) this.releaseTemp(temp);
      if (errorCode(error) === 'ENOENT') return { outcome: 'gone' };
      throw error;
    }
    const { fd, tempPath } = temp;
    const target = join(gen.path, recordFileName(seq));
    let linkError: unknown;
    try {
      retryTransient(() => fs.linkSync(tempPath, target));
      return { outcome: 'committed', fd, tempPath };
    } catch (error) {
      linkError = error;
    }
    let ours: boolean;
    let linkedOnce = false;
    /** Another file has the name: a lost race, whatever the error said. */
    let taken = false;
    try {
      const stats = fs.fstatSync(fd, { bigint: true });
      linkedOnce = stats.nlink === 1n;
      ours = sameFile(fs.lstatSync(target, { bigint: true }), stats);
      taken = !ours;
    } catch (error) {
      ours = false;
      if (errorCode(error) !== 'ENOENT') {
        this.releaseTemp(temp);
        throw Object.assign(new Error(`could not tell whether the link of ${target} happened: ${String(error)}`, { cause: linkError }), { applied: 'unknown' });
      }
    }
    if (ours) return { outcome: 'committed', fd, tempPath };
    // sshfs answers a link onto a name the server already has (another machine's, or the server side's, commit not
    // yet in its caches) with EPERM: SFTP has no "exists" status. The name is there and not ours: a conflict.
    if (taken && errorCode(linkError) !== 'EEXIST') linkError = Object.assign(new Error(`${target} exists`), { code: 'EEXIST', cause: linkError });
    if (errorCode(linkError) === 'EEXIST' && linkedOnce) {
      // Lost the race, and the file has no name but its temp one: the next attempt can carry its bytes in it,
      // sparing the creation and removal of a file per lost race (kernel work that dominates under contention).
      this.spare = temp;
      return { outcome: 'conflict' };
    }
    this.releaseTemp(temp);
    if (errorCode(linkError) === 'EEXIST') return { outcome: 'conflict' };
    if (errorCode(linkError) === 'ENOENT') return { outcome: 'gone' };
    throw linkError;
  }

  /** Removes the temp file kept from a lost race; the update that kept it is over. */
  dropSpare(): void {
    if (this.spare !== undefined) this.releaseTemp(this.spare);
    this.spare = undefined;
  }

  /** After a commit: the record's bytes and its name are flushed to disk. Always releases the temp file. */
  async durable(committed: { fd: number; tempPath: string }): Promise<void> {
    const { fs } = this.ctx;
    const dir = this.folderDescriptor();
    if (dir) dir.flushing++;
    try {
      const flushes = [fsyncFd(fs, committed.fd)];
      if (dir) flushes.push(fsyncFd(fs, dir.fd));
      await Promise.all(flushes);
    } finally {
      this.releaseTemp(committed);
      if (dir) {
        dir.flushing--;
        if (dir.retired && dir.flushing === 0) closeQuietly(fs, dir.fd);
      }
    }
  }

  private releaseTemp(temp: { fd: number; tempPath: string }): void {
    closeQuietly(this.ctx.fs, temp.fd);
    unlinkQuietly(this.ctx.fs, temp.tempPath);
  }

  /**
   * Registers (or moves up) this writer's intent to build on sequence `h` or above of `gen`. Returns false when the
   * intent it held was found removed (by hand, or by a process that took this one for dead): collection may have
   * passed it meanwhile, so nothing read under it may be built on — the caller reads the head again.
   */
  holdFrom(gen: Generation, h: number): boolean {
    const { fs } = this.ctx;
    const content = Buffer.from(`${pad(h)} ${pad(h)}\n`);
    const held = this.intent;
    if (held?.gen === gen.name) {
      // Rewritten in place: the name stays listed throughout. A reader sees the old h, the new one, or a torn mix
      // whose halves differ (taken as 0); each is at most what this writer builds on.
      let fd: number | undefined;
      try {
        fd = fs.openSync(held.path, nodeFs.constants.O_WRONLY);
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error;
      }
      if (fd !== undefined) {
        try {
          fs.writeSync(fd, content, 0, content.length, 0);
        } finally {
          fs.closeSync(fd);
        }
        held.h = h;
        return true;
      }
      this.ctx.log('warn', `${this.path}: this writer's intent was removed by someone else; registering it again`);
      this.intent = undefined;
    }
    this.release();
    const path = join(this.path, `${intentPrefix}${gen.name.slice(2)}-${this.ctx.nextName()}`);
    fs.closeSync(createFile(fs, path, content, this.ctx.fixModes));
    this.intent = { path, h, gen: gen.name };
    return held?.gen !== gen.name;
  }

  /** The h of this writer's intent on `gen`, if it holds one. */
  heldFrom(gen: { name: string }): number | undefined {
    return this.intent?.gen === gen.name ? this.intent.h : undefined;
  }

  release(): void {
    if (this.intent === undefined) return;
    unlinkQuietly(this.ctx.fs, this.intent.path);
    this.intent = undefined;
  }

  /**
   * Removes records below both `head − keep + 1` and every live writer's intent, oldest first. Intents are listed
   * only now, after `head` was committed: a writer whose intent is not listed registered it later, so it builds on
   * `head` or above. Intents of dead processes, or of generations that no longer exist, are removed.
   *
   * The records are chosen now and removed asynchronously, one after another: removing a file's last name frees
   * its blocks, which can take milliseconds (tens with online discard, longer over a network), and must not block
   * the host's event loop or delay the update. Removing later is safe: it is what a collector frozen right after
   * choosing does. A file that cannot be removed now is chosen again by the next collection; a collection
   * asked for while records are still being removed runs once they are (the newest request only).
   */
  collect(gen: Generation, head: number, keep: number): void {
    if (this.removing !== undefined) {
      this.collectAfter = { gen, head, keep };
      return;
    }
    const { fs } = this.ctx;
    let limit = head - keep + 1;
    for (const name of listFolder(fs, this.path)) {
      if (!name.startsWith(intentPrefix)) continue;
      const genName = `g-${name.slice(2, 18)}`;
      const path = join(this.path, name);
      if (genName !== gen.name) {
        if (!exists(fs, join(this.path, genName))) unlinkQuietly(fs, path);
        continue;
      }
      if (writtenByDeadProcess(name.slice(19))) {
        unlinkQuietly(fs, path);
        continue;
      }
      limit = Math.min(limit, readIntent(fs, path));
    }
    const doomed = sequencesIn(listFolder(fs, gen.path))
      .filter((seq) => seq < limit)
      .map((seq) => join(gen.path, recordFileName(seq)));
    if (doomed.length === 0) return;
    this.removing = doomed
      .reduce((chain, path) => chain.then(() => removeFile(fs, path)), Promise.resolve())
      .then(() => {
        this.removing = undefined;
        const next = this.collectAfter;
        this.collectAfter = undefined;
        if (next === undefined) return;
        try {
          this.collect(next.gen, next.head, next.keep);
        } catch (error) {
          this.ctx.log('warn', `collecting old records of ${this.path}: ${String(error)}`);
        }
      });
  }

  /** Resolves once collected records are removed, including collections asked for meanwhile. */
  async settled(): Promise<void> {
    while (this.removing !== undefined) await this.removing;
  }

  dispose(): void {
    this.dropSpare();
    this.release();
    this.switchTo(undefined);
  }

  private readSeq(gen: Generation, seq: number): ReturnType<typeof readFile> {
    try {
      return readFile(this.ctx.fs, join(gen.path, recordFileName(seq)));
    } catch (error) {
      // Windows: a file being removed stays listed until its last reader closes it, and cannot be opened.
      if (isWindows && errorCode(error) === 'EPERM') return undefined;
      throw error;
    }
  }

  private switchTo(gen: Generation | undefined): void {
    const dir = this.genDir;
    if (dir) {
      dir.retired = true;
      if (dir.flushing === 0) closeQuietly(this.ctx.fs, dir.fd);
    }
    this.genDir = undefined;
    this.gen = gen;
  }

  private folderDescriptor(): { fd: number; flushing: number; retired: boolean } | undefined {
    if (isWindows || this.gen === undefined) return undefined;
    this.genDir ??= { fd: this.ctx.fs.openSync(this.gen.path, nodeFs.constants.O_RDONLY), flushing: 0, retired: false };
    return this.genDir;
  }

  /**
   * A key folder appears whole, with its one generation inside: prepared in our temp folder, then renamed into
   * place. The rename fails when another writer's folder got there first (then theirs is used). A key folder left
   * without a generation (emptied by hand) is removed first; rmdir refuses if it is no longer empty.
   */
  private createKeyFolder(): void {
    const { fs } = this.ctx;
    for (const name of listFolder(fs, this.path)) {
      if (name.startsWith(intentPrefix) && !exists(fs, join(this.path, `g-${name.slice(2, 18)}`))) unlinkQuietly(fs, join(this.path, name));
    }
    try {
      fs.rmdirSync(this.path);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') this.ctx.log('debug', `${this.path}: ${String(error)}`);
    }
    const prepared = join(this.ctx.tmpPath, this.ctx.nextName());
    const gen = `g-${randomBytes(8).toString('hex')}`;
    ensureFolder(fs, prepared);
    ensureFolder(fs, join(prepared, gen));
    fs.closeSync(createFile(fs, join(prepared, gen, 'key.json'), Buffer.from(`${JSON.stringify({ key: this.key })}\n`), this.ctx.fixModes));
    // Once per key, every name on the way to the records survives a power loss, or durable records could vanish
    // with a folder above them: the generation inside the prepared folder before the rename, its name in
    // records/ after. (A record's own name is flushed with its generation folder at each commit.)
    if (!isWindows) {
      syncFolderSync(fs, join(prepared, gen));
      syncFolderSync(fs, prepared);
    }
    try {
      retryTransient(() => fs.renameSync(prepared, this.path));
    } catch (error) {
      fs.rmSync(prepared, { recursive: true, force: true });
      // Another writer's key folder got there first (EEXIST, ENOTEMPTY) — and may be gone again already, emptied
      // and removed by a third: either way the caller lists the key folder again and uses or makes one.
      const code = errorCode(error);
      if (code === 'EEXIST' || code === 'ENOTEMPTY' || exists(fs, this.path)) return;
      throw error;
    }
    if (!isWindows) syncFolderSync(fs, join(this.path, '..'));
  }
}

function removeFile(fs: FileSystem, path: string): Promise<void> {
  return new Promise((resolve) => fs.unlink(path, () => resolve()));
}

function pad(n: number): string {
  return String(n).padStart(16, '0');
}

/** An intent's h; 0 (hold everything) when it cannot be read whole. */
function readIntent(fs: FileSystem, path: string): number {
  try {
    const text = readFile(fs, path)?.bytes.toString('utf8') ?? '';
    const match = /^(\d{16}) (\d{16})\n$/.exec(text);
    return match && match[1] === match[2] ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

function exists(fs: FileSystem, path: string): boolean {
  try {
    fs.lstatSync(path, { bigint: true });
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}
