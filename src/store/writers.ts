import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Who wrote a temp file or holds an intent: `<host>-<pid>-<instance>`. Files of a writer whose process is gone are
 * removed by others; files of a live process — however long it has been frozen — never are. Liveness is asked of
 * the operating system, never decided by a clock.
 */
export interface WriterTag {
  host: string;
  pid: number;
  /** `<host>-<pid>-<random>`: unique per store instance. */
  tag: string;
}

/** The host and platform, hashed: pids mean nothing across machines (a network folder) or across OSes (WSL). */
export const thisHost = createHash('sha256').update(`${process.platform}\u0000${hostname()}`).digest('hex').slice(0, 8);

export function newWriterTag(): WriterTag {
  return { host: thisHost, pid: process.pid, tag: `${thisHost}-${process.pid}-${randomBytes(4).toString('hex')}` };
}

const tagPattern = /^([0-9a-f]{8})-(\d+)-[0-9a-f]{8}(?:-|$)/;

/**
 * True only when `name` was written by a process of this host that no longer runs. Pid reuse makes a dead writer
 * look alive, which only delays the clean-up: the safe direction. Files of other hosts are left to their hosts.
 */
export function writtenByDeadProcess(name: string): boolean {
  const match = tagPattern.exec(name);
  if (match?.[1] !== thisHost || match[2] === undefined) return false;
  const pid = Number(match[2]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: it exists but belongs to someone else — alive.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
