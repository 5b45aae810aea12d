/**
 * Hooks for the end-to-end tests only, read from the extension host's environment at activation — never a setting, so
 * no user can meet them. Unset (always, outside the e2e suite), nothing changes.
 */

/** The environment variable that shortens "a minute" of a session goal (ms) in the e2e tests: test/e2e/README.md. */
export const TEST_MINUTE_ENV = 'BREATH_MASTER_TEST_MINUTE_MS';

/**
 * "A minute" of a session goal in ms when BREATH_MASTER_TEST_MINUTE_MS holds a whole number from 1000 to 60000;
 * otherwise (unset, empty, anything else) undefined: the real minute.
 */
export function testMinuteMs(env: Record<string, string | undefined> = process.env): number | undefined {
  const raw = env[TEST_MINUTE_ENV];
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return undefined;
  const ms = Number(raw.trim());
  return ms >= 1000 && ms <= 60_000 ? ms : undefined;
}
