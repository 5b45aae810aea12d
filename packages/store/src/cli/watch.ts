/**
 * `watch`: follows commits live, READ-ONLY. It does not open a StorageWrapper: the store's constructor makes
 * missing folders, writes a probe file into tmp/ and sweeps dead writers' temp files — an inspector asked to look
 * must not change what it looks at (a support person may be watching a folder that is being copied, or one that
 * is not a store at all). So it polls: a listing of records/ and of each key's generation folder, and each new record
 * read once (records never change once linked). It prints every record committed since it started that is still
 * there when it looks (one collected within a poll interval is not seen).
 */
import { join } from 'node:path';
import { keyFileName } from '../keys';
import { sequencesIn, recordFileName, type StoredRecord } from '../record';
import { generationsOf, keyFolderNames, keyOf, list, readRecord } from './inspect';

export interface Commit {
  key: string;
  record: StoredRecord;
}

/** Polls `root` every `intervalMs` and calls `onCommit` for each record committed since the start. Returns stop. */
export function watchFolder(root: string, key: string | undefined, intervalMs: number, onCommit: (commit: Commit) => void, onError: (error: unknown) => void): () => void {
  const seen = new Map<string, { gen: string; seq: number; key: string | undefined }>();
  const scan = (report: boolean): void => {
    for (const name of key === undefined ? keyFolderNames(root) : [keyFileName(key)]) {
      const gen = generationsOf(root, name)[0];
      if (gen === undefined) continue;
      const seqs = sequencesIn(list(join(root, 'records', name, gen)));
      const last = seqs[seqs.length - 1] ?? 0;
      const before = seen.get(name);
      if (before?.gen === gen && before.seq >= last) continue;
      const exactKey = before?.gen === gen ? before.key : keyOf(root, name, gen);
      seen.set(name, { gen, seq: last, key: exactKey });
      if (!report || exactKey === undefined) continue;
      for (const seq of seqs) {
        if (before?.gen === gen && seq <= before.seq) continue;
        const { record } = readRecord(root, `records/${name}/${gen}/${recordFileName(seq)}`, seq, exactKey, false);
        if (record !== undefined) onCommit({ key: exactKey, record });
      }
    }
  };
  scan(false);
  const timer = setInterval(() => {
    try {
      scan(true);
    } catch (error) {
      onError(error);
    }
  }, intervalMs);
  return () => clearInterval(timer);
}
