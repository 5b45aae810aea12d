/**
 * Reads a storage folder into a model, without writing anything: its key folders, their generations, records,
 * intents, convergent keys' contributions, per-writer logs, and the temp files and markers beside them. Parsing is
 * the store's own (record.ts, keys.ts, files.ts, convergent/contribution.ts, convergentKey.ts's parseBase, the
 * convergent types, log/logFile.ts's readLogFrom and log/logKey.ts's parseSnapshot and event order).
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { counterType, mapType, maxType, setType, type ConvergentType } from '../convergent';
import { decodeSlot, readContribution, slotFileName, writerOfSlot } from '../convergent/contribution';
import { parseBase } from '../convergent/convergentKey';
import { errorCode, type FileSystem, readFile, realFileSystem } from '../files';
import { keyFileName } from '../keys';
import { logFileName, readLogFrom, type StoredEvent, writerOfLog } from '../log/logFile';
import { compareEvents, type LogEntry, parseSnapshot, type Snapshot } from '../log/logKey';
import { decodeRecord, sequenceOf, type StoredRecord } from '../record';

/** One `v<seq>.json` of a generation: decoded, or why it is not readable. */
export interface RecordEntry {
  seq: number;
  /** Relative to the storage folder, `/`-separated. */
  path: string;
  bytes: number;
  record?: StoredRecord;
  problem?: string;
  /** A `corrupt-` copy of it exists beside it (the store kept its bytes). */
  keptCopy: boolean;
}

export interface KeyModel {
  /** The key folder's name, `<slug>-<hash>`. */
  name: string;
  path: string;
  /** The exact key from the generation's key.json; undefined when it cannot be read. */
  key?: string;
  keyProblem?: string;
  generations: string[];
  /** Records of the generation in use (the first one, as the store picks), ascending. */
  records: RecordEntry[];
  intents: string[];
  /** Names in the key folder or its generation folders the store never makes. */
  foreign: string[];
  /** Set when the key is a convergent one: its base record names a convergent type, or contributions are there. */
  convergent?: ConvergentModel;
  /** Set when the key is a per-writer log: its record is a snapshot (`log: 1`), or `l-<writer>.log` files are there. */
  log?: LogModel;
}

/** One writer's log file (`l-<writer>.log`), as readers read it (`readLogFrom`: whole lines only). */
export interface LogFileEntry {
  writer: string;
  /** Relative to the storage folder, `/`-separated. */
  path: string;
  /** Its whole lines (checksum and shape pass), up to the first that is not. */
  events: StoredEvent[];
  /** The bytes read, and how many of them follow the last whole line (a torn tail: an append in flight or killed). */
  bytes: number;
  torn: number;
  /** The snapshot names this writer as folded: its lines are in the snapshot already and not read again. */
  folded: boolean;
  /** It could not be read (a link or folder in its place, no permission): readers skip it. */
  problem?: string;
}

export interface LogModel {
  /** The key's record as its snapshot (an unreadable or malformed one is read as empty, as the store does). */
  snapshot: Snapshot;
  /** Why the record could not be read as a snapshot (the store then reads it as empty). */
  snapshotProblem?: string;
  logs: LogFileEntry[];
  /** What `entries()` of a window opening the key gives: by stamp, then writer, each id once. */
  entries: LogEntry[];
}

/** One slot file of a contribution (`c-<writer>-<slot>.json`), as the store reads it. */
export interface SlotEntry {
  slot: 0 | 1;
  /** Relative to the storage folder, `/`-separated. */
  path: string;
  /** The number it holds, when it is whole (its checksum and shape pass `decodeSlot`). */
  seq?: number;
  /** Why it is not readable: torn (checksum or shape fails: a write in flight or killed) or could not be read. */
  problem?: string;
}

/** One writer's contribution to a convergent key. */
export interface ContributionEntry {
  writer: string;
  /** The slot files there are (one or two). */
  slots: SlotEntry[];
  /** The number the store counts: the newest readable slot (`readContribution`); undefined when none is readable. */
  seq?: number;
  state?: unknown;
  /** The value of this writer's state alone (the type's own `value`). */
  value?: unknown;
  /** The base names this writer as folded: its state is in the base already and is not merged again. */
  folded: boolean;
  /** `readContribution` could not read it (an I/O error), or a slot could not be opened right now. */
  problem?: string;
}

export interface ConvergentModel {
  /** The convergent type, from the base record or else from the contributions; undefined when neither says. */
  type?: ConvergentType<unknown, unknown>;
  /** The base's state and folded writers, as the store reads them (an unreadable base is read as empty). */
  baseState?: unknown;
  folded: Record<string, number>;
  /** Why the base could not be read as this type's (the store then reads it as empty). */
  baseProblem?: string;
  contributions: ContributionEntry[];
  /** type.value(merge(base, every contribution not folded)): what a window opening the key reads. */
  value?: unknown;
  valueProblem?: string;
}

export interface FolderModel {
  root: string;
  keys: KeyModel[];
  /** Entries of tmp/. */
  temp: string[];
  migrated: string[];
  foreign: string[];
}

/** The storage folder is not one (no records/ folder in it), or cannot be read. */
export class NotAStoreError extends Error {}

const keyFolderPattern = /^[a-z0-9_-]{0,24}-[0-9a-f]{32}$/;
const generationPattern = /^g-[0-9a-f]{16}$/;
const intentPattern = /^w-[0-9a-f]{16}-[0-9a-f]{8}-\d+-[0-9a-f]{8}-[0-9a-z]+$/;
/** `<space>-<pid>-<instance>-<n>` (n in base 36, or `probe`): temp files, prepared key folders, probes. */
const writerFilePattern = /^[0-9a-f]{8}-\d+-[0-9a-f]{8}-[0-9a-z]+$/;
const corruptPattern = /^corrupt-(v\d{12}\.json)$/;
const storageEntries = new Set(['records', 'tmp', 'migrated']);

function isFolder(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A folder's entries, sorted; none when it is missing. */
export function list(path: string): string[] {
  try {
    return readdirSync(path).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw error;
  }
}

export function readFolder(root: string): FolderModel {
  if (!isFolder(join(root, 'records'))) throw new NotAStoreError(`${root} is not a storage folder (no records/ folder in it)`);
  const model: FolderModel = { root, keys: [], temp: list(join(root, 'tmp')), migrated: [], foreign: [] };
  for (const name of list(root)) if (!storageEntries.has(name)) model.foreign.push(name);
  for (const name of model.temp) if (!writerFilePattern.test(name)) model.foreign.push(`tmp/${name}`);
  for (const name of list(join(root, 'migrated'))) {
    if (keyFolderPattern.test(name)) model.migrated.push(name);
    else model.foreign.push(`migrated/${name}`);
  }
  for (const name of list(join(root, 'records'))) {
    if (!keyFolderPattern.test(name) || !isFolder(join(root, 'records', name))) model.foreign.push(`records/${name}`);
    else model.keys.push(readKeyFolder(root, name));
  }
  return model;
}

/** The names of the key folders in records/. */
export function keyFolderNames(root: string): string[] {
  return list(join(root, 'records')).filter((name) => keyFolderPattern.test(name));
}

/** The generation folders of a key folder; the store uses the first. */
export function generationsOf(root: string, name: string): string[] {
  return list(join(root, 'records', name)).filter((entry) => generationPattern.test(entry) && isFolder(join(root, 'records', name, entry)));
}

export function readKeyFolder(root: string, name: string): KeyModel {
  const path = `records/${name}`;
  const model: KeyModel = { name, path, generations: generationsOf(root, name), records: [], intents: [], foreign: [] };
  for (const entry of list(join(root, path))) {
    if (model.generations.includes(entry)) continue;
    if (intentPattern.test(entry)) model.intents.push(entry);
    else model.foreign.push(`${path}/${entry}`);
  }
  const gen = model.generations[0];
  if (gen === undefined) return model;
  readKey(root, model, `${path}/${gen}/key.json`);
  for (const g of model.generations) {
    const names = list(join(root, path, g));
    for (const entry of names) {
      const copied = corruptPattern.exec(entry)?.[1];
      if (entry === 'key.json' || sequenceOf(entry) !== undefined || (copied !== undefined && sequenceOf(copied) !== undefined)) continue;
      if (writerOfSlot(entry) !== undefined) continue; // a convergent key's contribution slot
      if (writerOfLog(entry) !== undefined) continue; // a writer's log
      model.foreign.push(`${path}/${g}/${entry}`);
    }
    if (g !== gen) continue;
    for (const entry of names) {
      const seq = sequenceOf(entry);
      if (seq === undefined) continue;
      model.records.push(readRecord(root, `${path}/${g}/${entry}`, seq, model.key, names.includes(`corrupt-${entry}`)));
    }
  }
  model.records.sort((a, b) => a.seq - b.seq);
  const convergent = readConvergent(root, `${path}/${gen}`, list(join(root, path, gen)), model);
  if (convergent !== undefined) model.convergent = convergent;
  const log = readLog(root, `${path}/${gen}`, list(join(root, path, gen)), model);
  if (log !== undefined) model.log = log;
  return model;
}

/**
 * A per-writer log, read as a window opening the key reads it (logKey.ts): the snapshot from the current record,
 * each writer's whole lines unless the snapshot names the writer as folded, merged in one order with each id once.
 * Undefined for a key that is no log.
 */
function readLog(root: string, genPath: string, names: readonly string[], model: KeyModel): LogModel | undefined {
  const writers = names.map((name) => writerOfLog(name)).filter((w): w is string => w !== undefined);
  const head = headOf(model);
  const payload = head?.record === undefined || head.record.deleted ? undefined : head.record.payload;
  const named = typeof payload === 'object' && payload !== null && (payload as Record<string, unknown>).log === 1;
  if (!named && writers.length === 0) return undefined;
  const result: LogModel = { snapshot: { events: [], folded: {} }, logs: [], entries: [] };
  if (head !== undefined && head.record === undefined) result.snapshotProblem = `the current record is unreadable (${head.problem ?? 'damaged'}); the store reads the snapshot as empty`;
  else {
    try {
      result.snapshot = parseSnapshot(payload);
    } catch (error) {
      result.snapshotProblem = `the current record holds no log snapshot (${(error as Error).message}); the store reads it as empty`;
    }
  }
  for (const writer of writers) {
    const path = `${genPath}/${logFileName(writer)}`;
    const entry: LogFileEntry = { writer, path, events: [], bytes: 0, torn: 0, folded: Object.hasOwn(result.snapshot.folded, writer) };
    // readLogFrom as the store calls it, through a file system that counts the bytes it reads: what follows its
    // last whole line is the torn tail (counted in the same read, so an append landing meanwhile cannot skew it).
    let read = 0;
    const readSync: FileSystem['readSync'] = (fd, bytes, offset, length, position) => {
      const n = realFileSystem.readSync(fd, bytes, offset, length, position);
      read += n;
      return n;
    };
    const counting = new Proxy(realFileSystem, { get: (fs, name: keyof FileSystem) => (name === 'readSync' ? readSync : fs[name]) });
    try {
      const log = readLogFrom(counting, join(root, genPath), writer, 0);
      if (log === undefined) continue; // removed since the listing (a fold)
      entry.events = log.events;
      entry.bytes = read;
      entry.torn = read - log.end;
    } catch (error) {
      entry.problem = `unreadable: ${errorCode(error) ?? String(error)}`;
    }
    result.logs.push(entry);
  }
  // As LogKey.merge: the snapshot's events and every log not folded, by stamp then writer, the first of an id kept.
  const all: (StoredEvent & { w: string })[] = [...result.snapshot.events];
  for (const log of result.logs) if (!log.folded) for (const e of log.events) all.push({ ...e, w: log.writer });
  all.sort(compareEvents);
  const seen = new Set<string>();
  for (const e of all) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    result.entries.push({ id: e.id, data: e.data, writer: e.w, stamp: e.t });
  }
  return result;
}

const convergentTypes = [counterType, maxType, setType, mapType] as unknown as ReadonlyArray<ConvergentType<unknown, unknown>>;

/**
 * A convergent key's base and contributions, read as a window opening the key reads them (convergentKey.ts): the
 * base from the current record, each writer's newest readable slot, merged with the type's own `merge` unless the
 * base names the writer as folded. Undefined for an ordinary key.
 */
function readConvergent(root: string, genPath: string, names: readonly string[], model: KeyModel): ConvergentModel | undefined {
  const writers = [...new Set(names.map((name) => writerOfSlot(name)).filter((w): w is string => w !== undefined))];
  const head = headOf(model);
  const payload = head?.record === undefined || head.record.deleted ? undefined : head.record.payload;
  const named = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>).convergent : undefined;
  let type = convergentTypes.find((t) => t.name === named);
  if (type === undefined && writers.length === 0) return undefined;
  const result: ConvergentModel = { folded: {}, contributions: [] };
  const key = model.key;
  if (key === undefined) {
    result.valueProblem = 'its key is unknown (key.json unreadable)';
    for (const writer of writers) result.contributions.push({ writer, slots: [], folded: false, problem: 'its key is unknown' });
    return result;
  }
  const slotBytes = (writer: string, slot: 0 | 1): { path: string; bytes?: Buffer; problem?: string } | undefined => {
    const path = `${genPath}/${slotFileName(writer, slot)}`;
    try {
      const read = readFile(realFileSystem, join(root, path));
      return read === undefined ? undefined : { path, bytes: read.bytes };
    } catch (error) {
      return { path, problem: `unreadable: ${errorCode(error) ?? String(error)}` };
    }
  };
  // No base names the type: the type the contributions were written as (the one whose decodeSlot accepts them).
  type ??= convergentTypes.find((t) =>
    writers.some((writer) =>
      ([0, 1] as const).some((slot) => {
        const bytes = slotBytes(writer, slot)?.bytes;
        return bytes !== undefined && decodeSlot(bytes, key, t, writer) !== undefined;
      }),
    ),
  );
  if (type === undefined) {
    result.valueProblem = 'no contribution is readable and no base names its type';
    for (const writer of writers) result.contributions.push({ writer, slots: readSlots(writer, undefined), folded: false });
    return result;
  }
  result.type = type;
  const t = type;
  let baseState = t.empty();
  if (head !== undefined && head.record === undefined) result.baseProblem = `the current record is unreadable (${head.problem ?? 'damaged'}); the store reads the base as empty`;
  else if (payload !== undefined) {
    try {
      const base = parseBase(payload, t);
      baseState = base.state;
      result.folded = base.folded;
    } catch (error) {
      result.baseProblem = `the current record holds no convergent ${t.name} (${(error as Error).message}); the store reads it as empty`;
    }
  }
  result.baseState = baseState;
  let merged = baseState;
  for (const writer of writers) {
    const entry: ContributionEntry = { writer, slots: readSlots(writer, t), folded: Object.hasOwn(result.folded, writer) };
    try {
      const { contribution, held } = readContribution(realFileSystem, join(root, genPath), key, t, writer);
      if (held) entry.problem = 'a slot could not be opened right now';
      if (contribution !== undefined) {
        entry.seq = contribution.seq;
        entry.state = contribution.state;
        entry.value = t.value(contribution.state);
        if (!entry.folded) merged = t.merge(merged, contribution.state);
      }
    } catch (error) {
      entry.problem = `unreadable: ${String(error)}`;
    }
    result.contributions.push(entry);
  }
  try {
    result.value = t.value(merged);
  } catch (error) {
    result.valueProblem = String(error);
  }
  return result;

  function readSlots(writer: string, slotType: ConvergentType<unknown, unknown> | undefined): SlotEntry[] {
    const slots: SlotEntry[] = [];
    for (const slot of [0, 1] as const) {
      const read = slotBytes(writer, slot);
      if (read === undefined) continue;
      const entry: SlotEntry = { slot, path: read.path };
      const decoded = read.bytes === undefined || slotType === undefined || key === undefined ? undefined : decodeSlot(read.bytes, key, slotType, writer);
      if (decoded !== undefined) entry.seq = decoded.seq;
      else entry.problem = read.problem ?? (read.bytes?.length === 0 ? 'torn: empty (or a link or folder in its place)' : 'torn: its checksum or shape fails');
      slots.push(entry);
    }
    return slots;
  }
}

/** The exact key of a key folder's generation, from its key.json; undefined when it cannot be read. */
export function keyOf(root: string, name: string, gen: string): string | undefined {
  const model: KeyModel = { name, path: `records/${name}`, generations: [], records: [], intents: [], foreign: [] };
  readKey(root, model, `records/${name}/${gen}/key.json`);
  return model.key;
}

function readKey(root: string, model: KeyModel, keyPath: string): void {
  try {
    const bytes = readFile(realFileSystem, join(root, keyPath))?.bytes;
    if (bytes === undefined) {
      model.keyProblem = `${keyPath} is missing`;
      return;
    }
    const key = (JSON.parse(bytes.toString('utf8')) as { key?: unknown } | null)?.key;
    if (typeof key !== 'string') model.keyProblem = `${keyPath} does not hold a key`;
    else if (keyFileName(key) !== model.name) model.keyProblem = `${keyPath} names the key ${JSON.stringify(key)}, which belongs in another folder`;
    else model.key = key;
  } catch (error) {
    model.keyProblem = `${keyPath} is unreadable: ${String(error)}`;
  }
}

export function readRecord(root: string, path: string, seq: number, key: string | undefined, keptCopy: boolean): RecordEntry {
  const entry: RecordEntry = { seq, path, bytes: 0, keptCopy };
  try {
    const stats = lstatSync(join(root, path));
    entry.bytes = stats.size;
    if (stats.isSymbolicLink()) entry.problem = 'a symbolic link in place of a record';
    else if (stats.isDirectory()) entry.problem = 'a folder in place of a record';
    else {
      const bytes = readFile(realFileSystem, join(root, path))?.bytes;
      if (bytes === undefined) entry.problem = 'vanished while read';
      else if (key === undefined) entry.problem = 'its key is unknown (key.json unreadable)';
      else {
        entry.record = decodeRecord(bytes, key);
        if (entry.record === undefined) entry.problem = bytes.length === 0 ? 'empty' : 'not a well-formed record of its key (truncated, garbage or wrong shape)';
      }
    }
  } catch (error) {
    entry.problem = `unreadable: ${String(error)}`;
  }
  return entry;
}

/** The current record entry of a key (the highest sequence of its generation), if any. */
export function headOf(key: KeyModel): RecordEntry | undefined {
  return key.records[key.records.length - 1];
}
