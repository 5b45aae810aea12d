/**
 * `watch`: follows commits live, READ-ONLY. It does not open a StorageWrapper: the store's constructor makes
 * missing folders, writes a probe file into tmp/ and sweeps dead writers' temp files — an inspector asked to look
 * must not change what it looks at (a support person may be watching a folder that is being copied, or one that
 * is not a store at all). So it polls the folder with the same reads as `ls` (a listing per key folder, and each
 * new record read once: records never change once linked) and prints every record that appeared.
 */
import { keyFileName } from '../keys';
import type { StoredRecord } from '../record';
import { readFolder, readKeyFolder, type KeyModel } from './inspect';

export interface Commit {
  key: string;
  record: StoredRecord;
}

/** Polls `root` every `intervalMs` and calls `onCommit` for each record committed since the start. Returns stop. */
export function watchFolder(root: string, key: string | undefined, intervalMs: number, onCommit: (commit: Commit) => void, onError: (error: unknown) => void): () => void {
  const seen = new Map<string, { gen: string; seq: number }>();
  const keysNow = (): KeyModel[] => (key === undefined ? readFolder(root).keys : [readKeyFolder(root, keyFileName(key))]);
  const scan = (report: boolean): void => {
    for (const folder of keysNow()) {
      const gen = folder.generations[0];
      const last = folder.records[folder.records.length - 1];
      if (gen === undefined || last === undefined) continue;
      const before = seen.get(folder.name);
      seen.set(folder.name, { gen, seq: last.seq });
      if (!report || (before?.gen === gen && before.seq >= last.seq)) continue;
      const from = before?.gen === gen ? before.seq : 0;
      for (const entry of folder.records) {
        if (entry.seq <= from) continue;
        if (entry.record !== undefined && folder.key !== undefined) onCommit({ key: folder.key, record: entry.record });
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
