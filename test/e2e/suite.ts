import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, test } from 'vitest';
import { breathMasterVsix, removeFixtureDirs } from './fixtures';
import { allTestsOnThisVersion, VsCode, type VsCodeOptions } from './harness';

/**
 * A test that runs on the newest VS Code only: it proves the extension's own logic (the store's compare-and-set,
 * the engine's one-window rules, timing), not something a VS Code version can change. Shown as skipped on the oldest
 * version, which runs the version-sensitive tests (test/e2e/README.md says which, and why).
 */
export const newestOnly = test.skipIf(!allTestsOnThisVersion());

/** What e2e-startup.jsonl calls a test: "file › name". */
export function testLabel(task: { name: string; file?: { name: string } }): string {
  return `${(task.file?.name ?? '').split('/').pop()} › ${task.name}`;
}

/** For files that do not use e2eSuite: the VS Code a test started is closed after it, its temp folders after the file. */
export function closeAfterEach(current: () => VsCode | undefined, reset: () => void): void {
  afterEach(async ({ task }) => {
    await current()?.close(task.result?.state === 'fail', testLabel(task));
    reset();
  });
  afterAll(removeFixtureDirs);
}

/**
 * The frame of an e2e file, for its top level: Breath Master's VSIX found once, and each test's VS Code closed
 * after the test (printing every window's extension log when it failed, so a CI failure can be read from the
 * run's output).
 */
export function e2eSuite() {
  let vsix = '';
  let current: VsCode | undefined;
  beforeAll(() => {
    vsix = breathMasterVsix();
  });
  closeAfterEach(
    () => current,
    () => (current = undefined),
  );
  return {
    /** The packaged extension (dist/breath-master.vsix). */
    get vsix(): string {
      return vsix;
    },
    /** The running test's VS Code. */
    get vscode(): VsCode {
      if (!current) throw new Error('no VS Code: call create() or twoWindows() first');
      return current;
    },
    /** A sandboxed VS Code with Breath Master installed (`options.vsix` installs those instead), not started. */
    async create(options: VsCodeOptions = {}): Promise<VsCode> {
      current = await VsCode.create({ vsix: [vsix], ...options });
      return current;
    },
    /** VS Code started with `settings` (and `options`) and two windows open (see `VsCode.openTwoWindows`). */
    async twoWindows(settings: Record<string, unknown> = {}, options: VsCodeOptions = {}): Promise<[Page, Page]> {
      const vscode = await this.create({ ...options, settings });
      await vscode.start();
      return vscode.openTwoWindows();
    },
  };
}
