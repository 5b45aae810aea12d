// Installs code-server (and the system packages) once before any test, so a cold install is not charged to the
// first test's timeout, and the install time is printed for the CI log. Runs once per project (= per version).
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };

export default async function setup(project: TestProject): Promise<void> {
  const started = Date.now();
  const { ensureCodeServer, CODE_SERVER_VERSION } = await import('../../scripts/code-server/setup.mjs');
  const version = String(project.config.env?.BM_CODE_SERVER_VERSION ?? CODE_SERVER_VERSION);
  ensureCodeServer(version);
  process.stderr.write(`[e2e] code-server ${version} ready after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
