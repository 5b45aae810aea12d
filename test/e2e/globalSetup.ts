// Installs code-server (and the system packages) once before any test, so a cold install is not charged to the
// first test's timeout, and the install time is printed for the CI log.

export default async function setup(): Promise<void> {
  const started = Date.now();
  const { ensureCodeServer } = await import('../../scripts/code-server/setup.mjs');
  ensureCodeServer();
  process.stderr.write(`[e2e] code-server ready after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
