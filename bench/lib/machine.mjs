// What the figures were measured on. Results without the machine are meaningless, and this one is shared, so the
// load average before and after a run is noted too.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The mount options of the mount point (from /proc/self/mounts; empty where there is none, e.g. macOS). */
function mountOptionsOf(mountPoint) {
  try {
    const line = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')).filter((f) => f[1] === mountPoint).pop();
    return line?.[3] ? `, options ${line[3]}` : '';
  } catch {
    return '';
  }
}

function fileSystemOf(dir) {
  try {
    // `df -T` names ext4/xfs/tmpfs/overlay exactly (stat -f reports ext4 as "ext2/ext3").
    const lines = execFileSync('df', ['-T', dir], { encoding: 'utf8' }).trim().split('\n');
    const fields = (lines[1] ?? '').split(/\s+/);
    return `${fields[1] ?? 'unknown'} (${fields[0] ?? '?'} mounted at ${fields[6] ?? '?'}${mountOptionsOf(fields[6])})`;
  } catch {
    return 'unknown';
  }
}

/** Which store was measured: the commit, and whether packages/store/src had uncommitted edits when it was built. */
export function describeSource(repoRoot) {
  const git = (...args) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  try {
    return { commit: git('rev-parse', '--short', 'HEAD'), storeEditedSinceCommit: git('status', '--porcelain', '--', 'packages/store/src') !== '' };
  } catch {
    return { commit: 'unknown', storeEditedSinceCommit: null };
  }
}

export function describeMachine(benchDir) {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    fileSystem: fileSystemOf(benchDir),
    benchDir,
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
