import { defineConfig } from 'vitest/config';
import { NEWEST_CODE_SERVER_VERSION, versionsFromEnv } from './scripts/code-server/setup.mjs';

// Real VS Code (code-server) and Chromium: one file at a time, one test at a time — each test starts a server and
// a browser, and the machine may have only two cores. Timeouts cover a cold start of both.
//
// A matrix: every file runs once on each VS Code version the extension is tested on — the oldest it declares
// (code-server 4.100.3 = VS Code 1.100) and the newest that installs here (4.139.1 = VS Code 1.139) — as one
// project per version, run one after the other. BM_CODE_SERVER_VERSIONS=4.139.1 (comma-separated) narrows it;
// `--project e2e-4.100.3` too.
//
// The newest version runs every test; an older one only the tests that prove what a VS Code version can change (the
// others are shown as skipped there: `newestOnly` in test/e2e/suite.ts; test/e2e/README.md says which and why).
// BM_E2E_ALL_TESTS=1 runs every test on every version.
const versions = versionsFromEnv();
const allTests = (version: string) => process.env.BM_E2E_ALL_TESTS === '1' || version === NEWEST_CODE_SERVER_VERSION;

export default defineConfig({
  test: {
    fileParallelism: false,
    reporters: ['default'],
    projects: versions.map((version, index) => ({
      test: {
        name: `e2e-${version}`,
        include: ['test/e2e/**/*.test.ts'],
        environment: 'node',
        fileParallelism: false,
        sequence: { concurrent: false, groupOrder: index },
        testTimeout: 240_000,
        hookTimeout: 300_000,
        env: { BM_CODE_SERVER_VERSION: version, BM_E2E_ALL_TESTS: allTests(version) ? '1' : '0' },
        globalSetup: ['test/e2e/globalSetup.ts'],
      },
    })),
  },
});
