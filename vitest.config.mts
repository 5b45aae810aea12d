import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Unit tests of the VS Code layer run against a fake `vscode` module (the real one exists only inside VS Code):
// `test/unit/vscode/fake-vscode.ts`, owned by the VS Code layer.
const fakeVscode = fileURLToPath(new URL('./test/unit/vscode/fake-vscode.ts', import.meta.url));

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
        resolve: { alias: { vscode: fakeVscode } },
      },
      {
        // Real OS processes on a real temp dir: run one file at a time so the 2-core machine is not oversubscribed.
        test: {
          name: 'multiprocess',
          include: ['test/multiprocess/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
