import type { Page } from 'playwright-core';
import { afterEach, beforeAll } from 'vitest';
import { breathMasterVsix } from './fixtures';
import { VsCode, type VsCodeOptions } from './harness';

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
  afterEach(async ({ task }) => {
    await current?.close(task.result?.state === 'fail');
    current = undefined;
  });
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
    /** VS Code started with `settings` and two windows open (see `VsCode.openTwoWindows`). */
    async twoWindows(settings: Record<string, unknown> = {}): Promise<[Page, Page]> {
      const vscode = await this.create({ settings });
      await vscode.start();
      return vscode.openTwoWindows();
    },
  };
}
