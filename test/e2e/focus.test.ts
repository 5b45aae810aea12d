/**
 * Real focus: Playwright's focus emulation is off in every window (harness `openWindow`), so only the window brought
 * to the front has focus — as with desktop windows — and what depends on focus is tested as a user meets it.
 */
import { expect, test } from 'vitest';
import { breathMasterVsix } from './fixtures';
import { recordFigures } from './figures';
import { BREATHING_ITEM, e2eVersion, hasFocus, VsCode, waitForItem } from './harness';
import { closeAfterEach } from './suite';

let vscode: VsCode | undefined;
closeAfterEach(
  () => vscode,
  () => (vscode = undefined),
);

test('focus alternates: bringing a window to the front focuses it and unfocuses the other, both ways, repeatedly', async () => {
  vscode = await VsCode.create({ vsix: [breathMasterVsix()] });
  await vscode.start();
  const [a, b] = await vscode.openWindows(2);
  if (!a || !b) throw new Error('two windows expected');
  for (const w of [a, b]) await waitForItem(w, BREATHING_ITEM);
  const seen: boolean[][] = [];
  for (let i = 0; i < 3; i++) {
    for (const [front, back] of [[a, b], [b, a]] as const) {
      await vscode.focus(front);
      // Still true a moment later: nothing (emulation, the workbench) takes the focus back.
      await front.waitForTimeout(300);
      const pair = [await hasFocus(front), await hasFocus(back)];
      seen.push(pair);
      expect(pair).toEqual([true, false]);
    }
  }
  recordFigures(`focus-alternates-${e2eVersion()}`, { hasFocusFrontBack: seen });
});
