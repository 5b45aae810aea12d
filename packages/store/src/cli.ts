#!/usr/bin/env node
/** The inspector (`npx @breath-master/store <command>`): see cli/main.ts and the README's "Inspector". */
import { run } from './cli/main';

// A reader that stops early (`… | head`) closes the pipe: end quietly, as other command-line tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
});
const stop = new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
void run(process.argv.slice(2), { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) }, stop).then((code) => {
  // Nothing is left running (watch's timer is cleared when it stops): the process ends once stdout is flushed.
  process.exitCode = code;
});
