/** Figures of the e2e scenarios, merged into test-results/e2e-figures.json (one entry per scenario) and printed. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testResultsDir } from './harness';

export function recordFigures(scenario: string, figures: Record<string, unknown>): void {
  const file = join(testResultsDir(), 'e2e-figures.json');
  const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  all[scenario] = { ...figures, recordedAt: new Date().toISOString() };
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  process.stdout.write(`[e2e figures] ${scenario}: ${JSON.stringify(figures)}\n`);
}
