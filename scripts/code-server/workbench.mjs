// Driving VS Code's workbench in a Playwright page as a user would, through the Command Palette. Shared by the
// extension benchmark and the screenshots (the e2e suite has its own, with its checks, in test/e2e/harness.ts).

const INPUT = '.quick-input-widget .quick-input-box input';
const FOCUSED_ROW = '.quick-input-widget .monaco-list-row.focused';

/** Runs the command titled `title` (e.g. "Breath Master: Start Session") from the Command Palette. */
export async function runCommand(page, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await pickItem(page, title, `>${title}`);
}

/** Picks the item labelled `label` in the open quick pick (typing `typed` to find it). */
export async function pickItem(page, label, typed = label) {
  const input = page.locator(INPUT);
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(typed);
  await page.locator(FOCUSED_ROW, { hasText: label }).waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Enter');
}
