/**
 * The example an extension author copies (examples/shared-counter), in real VS Code with two windows: a click in one
 * shows in the other, and clicks in both at the same moment all count — what `globalState` cannot do.
 */
import { expect } from 'vitest';
import { packageExample } from './fixtures';
import { recordFigures } from './figures';
import { statusText, VsCode, waitForItem, waitForStatus } from './harness';
import { closeAfterEach, newestOnly } from './suite';

const COUNTER = 'breath-master-examples.shared-counter.sharedCounter.count';
const ROUNDS = 10;

let vscode: VsCode | undefined;
closeAfterEach(
  () => vscode,
  () => (vscode = undefined),
);

const countOf = (text: string): number => Number(/(\d+)\s*$/.exec(text)?.[1] ?? NaN);

newestOnly(`shared counter: a click in A shows in B; ${ROUNDS} rounds of clicks in A and B at the same moment all count`, async () => {
  vscode = await VsCode.create({ vsix: [await packageExample('shared-counter')] });
  await vscode.start();
  const [a, b] = await vscode.openWindows(2);
  if (!a || !b) throw new Error('two windows expected');
  for (const w of [a, b]) {
    await waitForItem(w, COUNTER);
    await waitForStatus(w, COUNTER, (t) => countOf(t) === 0);
  }

  const clickedAt = Date.now();
  await a.locator(`[id="${COUNTER}"]`).first().click();
  await waitForStatus(b, COUNTER, (t) => countOf(t) === 1, 10_000);
  const seenInBMs = Date.now() - clickedAt;

  // Both windows click at once, round after round: every click is one compare-and-set that either wins or re-runs.
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all([a, b].map((w) => w.locator(`[id="${COUNTER}"]`).first().click()));
  }
  const expected = 1 + 2 * ROUNDS;
  const finals = await Promise.all([a, b].map((w) => waitForStatus(w, COUNTER, (t) => countOf(t) === expected, 15_000)));
  await a.waitForTimeout(1000); // nothing more arrives: no click was counted twice
  const settled = await Promise.all([a, b].map((w) => statusText(w, COUNTER)));
  recordFigures('example-shared-counter', { seenInBMs, rounds: ROUNDS, finals, settled });
  expect(settled.map(countOf)).toEqual([expected, expected]);
});
