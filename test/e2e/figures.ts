/** Figures of the e2e scenarios, merged into test-results/e2e-figures.json (one entry per scenario) and printed. */
import { existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testResultsDir } from './harness';

export function recordFigures(scenario: string, figures: Record<string, unknown>): void {
  const file = join(testResultsDir(), 'e2e-figures.json');
  // Two vitest runs may share test-results/ (e.g. one per version): the read-merge-write holds a lock folder, and
  // the file is renamed into place, so no figure is lost and no reader sees half a file.
  const lock = `${file}.lock`;
  for (const deadline = Date.now() + 10_000; ; ) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true }); // a holder that died: take it over
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
    all[scenario] = { ...figures, recordedAt: new Date().toISOString() };
    writeFileSync(`${file}.${process.pid}`, `${JSON.stringify(all, null, 2)}\n`);
    renameSync(`${file}.${process.pid}`, file);
  } finally {
    rmdirSync(lock);
  }
  process.stdout.write(`[e2e figures] ${scenario}: ${JSON.stringify(figures)}\n`);
}
