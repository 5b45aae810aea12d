import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Unit tests of the VS Code layer run against a fake `vscode` module (the real one exists only inside VS Code):
// `test/unit/vscode/fake-vscode.ts`, owned by the VS Code layer.
const fakeVscode = fileURLToPath(new URL('./test/unit/vscode/fake-vscode.ts', import.meta.url));

// @breath-master/store (a workspace package) is resolved to its TypeScript sources through its own export
// condition, so no test needs it built first; the multi-process tests' workers load the BUILT package themselves.
// Vite's default conditions for Node (its defaultServerConditions) stay, the package's comes first.
const conditions = ['breath-master-source', 'module', 'node', 'development|production'];
const resolveStore = { resolve: { conditions }, ssr: { resolve: { conditions } } };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'packages/*/test/unit/**/*.test.ts'],
          environment: 'node',
        },
        resolve: { alias: { vscode: fakeVscode }, conditions },
        ssr: resolveStore.ssr,
      },
      {
        ...resolveStore,
        // Real OS processes on a real temp dir: run one file at a time so the 2-core machine is not oversubscribed.
        test: {
          name: 'multiprocess',
          include: ['test/multiprocess/**/*.test.ts', 'packages/*/test/multiprocess/**/*.test.ts', 'packages/*/test/package/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
