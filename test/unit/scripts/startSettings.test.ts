// `npm start` keeps its VS Code profile between runs: the settings the user changed in the demo must survive the
// next start (it used to write the whole settings file anew), and the demo, a folder inside this git clone, must
// not ask about "a git repository found in the parent folders" in every window.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

type Launch = typeof import('../../../scripts/code-server/launch.mjs', { with: { 'resolution-mode': 'import' } });
let writeUserSettings: Launch['writeUserSettings'];
beforeAll(async () => {
  ({ writeUserSettings } = await import('../../../scripts/code-server/launch.mjs'));
});

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});
const settingsFile = () => {
  dir = mkdtempSync(path.join(tmpdir(), 'bm-start-settings-'));
  return path.join(dir, 'settings.json');
};
const read = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

describe("npm start's user settings", () => {
  const defaults = { 'breathMaster.progress.tracking': 'on', 'git.openRepositoryInParentFolders': 'never', 'workbench.startupEditor': 'none' };

  it('a second start keeps what the user changed and adds only the defaults the file lacks', () => {
    const file = settingsFile();
    expect(writeUserSettings(file, defaults, { keep: true })).toBe('written');
    expect(read(file)).toEqual(defaults);
    // The user changes the demo's settings, and an older profile lacks the git setting.
    writeFileSync(file, JSON.stringify({ 'breathMaster.progress.tracking': 'off', 'breathMaster.breathing.pattern': 'boxing', 'workbench.startupEditor': 'none' }));
    expect(writeUserSettings(file, defaults, { keep: true })).toBe('merged');
    expect(read(file)).toEqual({
      'breathMaster.progress.tracking': 'off',
      'breathMaster.breathing.pattern': 'boxing',
      'workbench.startupEditor': 'none',
      'git.openRepositoryInParentFolders': 'never',
    });
    expect(writeUserSettings(file, defaults, { keep: true })).toBe('unchanged');
  });

  it('a settings file with comments is left exactly as it is', () => {
    const file = settingsFile();
    const text = '{\n  // mine\n  "breathMaster.breathing.pattern": "chill",\n}\n';
    writeFileSync(file, text);
    expect(writeUserSettings(file, defaults, { keep: true })).toBe('unreadable');
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('without keep (a fresh sandbox per run, as the e2e suite has) the file is written whole', () => {
    const file = settingsFile();
    writeFileSync(file, JSON.stringify({ 'breathMaster.breathing.pattern': 'boxing' }));
    expect(writeUserSettings(file, defaults)).toBe('written');
    expect(read(file)).toEqual(defaults);
  });

  it('npm start asks for kept settings and turns off the parent-folder git prompt', () => {
    const start = readFileSync(path.join(__dirname, '../../../scripts/start.mjs'), 'utf8');
    expect(start).toMatch(/keepUserSettings:\s*true/);
    expect(start).toMatch(/'git\.openRepositoryInParentFolders':\s*'never'/);
  });
});
