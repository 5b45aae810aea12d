import { defineConfig } from 'vitest/config';

// Real VS Code (code-server) and Chromium: one file at a time, one test at a time — each test starts a server and
// a browser, and the machine may have only two cores. Timeouts cover a cold start of both.
export default defineConfig({
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 240_000,
    hookTimeout: 300_000,
    globalSetup: ['test/e2e/globalSetup.ts'],
    reporters: ['default'],
  },
});
