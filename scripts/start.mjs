// `npm start`: builds and packages the extension, installs code-server if missing (cached), installs the VSIX into
// a sandboxed profile, starts VS Code on 127.0.0.1 with the demo folder and prints the URL. Ctrl-C stops it all.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSandbox, startServer } from './code-server/launch.mjs';
import { ensureCodeServer } from './code-server/setup.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vsix = join(root, 'dist', 'breath-master.vsix');

execFileSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: 'inherit' });
ensureCodeServer();

// The profile is kept in .cache/ between runs, so progress made in the demo survives a restart; delete the folder
// for a fresh start (and the welcome again).
const sandbox = await createSandbox({
  root: join(root, '.cache', 'start-profile'),
  // Progress tracking is opt-in; the demo turns it on so two windows have something visible to agree on. The demo
  // folder lies inside this clone: without the git setting every window asks about "a git repository found in the
  // parent folders" on every start.
  settings: { 'breathMaster.progress.tracking': 'on', 'git.openRepositoryInParentFolders': 'never' },
  // Defaults only: what the user changed in the demo's settings survives the next `npm start`.
  keepUserSettings: true,
  vsix: [vsix],
});
const port = process.env.PORT ? Number(process.env.PORT) : undefined;
const server = await startServer(sandbox, { folder: join(root, 'demo'), ...(port ? { port } : {}) });

process.stdout.write(
  [
    '',
    `  Breath Master is running in VS Code at  ${server.folderUrl}`,
    '',
    '  Open that URL in two browser tabs: each tab is its own VS Code window. Start a session in one',
    '  (F1 → "Breath Master: Start Session") and watch the other agree.',
    `  (Listening on 127.0.0.1 only. Log: ${server.logFile})`,
    '  Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nStopping VS Code…\n');
  await server.stop();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
process.on('SIGHUP', shutdown);
