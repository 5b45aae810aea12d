/**
 * Reads a storage folder into a model, without writing anything: its key folders, their generations, records,
 * intents, and the temp files and markers beside them. Parsing is the store's own (record.ts, keys.ts, files.ts).
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readFile, realFileSystem } from '../files';
import { keyFileName } from '../keys';
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
  return model;
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
