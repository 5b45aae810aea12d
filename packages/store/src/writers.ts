import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who wrote a temp file or holds an intent: `<space>-<pid>-<instance>`. Files of a writer whose process is gone are
 * removed by others; files of a live process — however long it has been frozen — never are. Liveness is asked of
 * the operating system, never decided by a clock, and only where the answer means something: a writer that cannot
 * be proven dead is alive.
 */
export interface WriterTag {
  /** The pid space the writer's pid belongs to (see `thisPidSpace`). */
  host: string;
  pid: number;
  /** `<space>-<pid>-<random>`: unique per store instance. */
  tag: string;
}

/**
 * The space in which a pid names one process, hashed: the platform, the host name and, on Linux, the boot (its boot
 * id) and the pid namespace. Two processes whose spaces match can ask `kill(pid, 0)` about each other; any other pair
 * cannot — containers and sandboxes (Flatpak, Snap) sharing one storage folder have their own pid namespaces, and two
 * Linux machines with one host name can share a network folder. What cannot be read is replaced by a random value:
 * that process then proves nobody dead, which only delays clean-up (the safe direction). On macOS and Windows the
 * host name alone stands for the space (neither has pid namespaces, and Node offers no stable boot id there; a boot
 * time from the uptime jitters by a second, which would split one machine's windows at a rounding boundary).
 */
export function pidSpace(): string {
  const parts = [process.platform, hostname()];
  if (process.platform === 'linux') {
    parts.push(readOrRandom(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()));
    parts.push(readOrRandom(() => readlinkSync('/proc/self/ns/pid')));
  }
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 8);
}

function readOrRandom(read: () => string): string {
  try {
    return read();
  } catch {
    return randomBytes(16).toString('hex');
  }
}

export const thisPidSpace = pidSpace();

export function newWriterTag(): WriterTag {
  return { host: thisPidSpace, pid: process.pid, tag: `${thisPidSpace}-${process.pid}-${randomBytes(4).toString('hex')}` };
}

const tagPattern = /^([0-9a-f]{8})-(\d+)-[0-9a-f]{8}(?:-|$)/;

/**
 * True only when `name` was written by a process of this pid space that no longer runs. Pid reuse makes a dead
 * writer look alive, which only delays the clean-up: the safe direction. Files of other spaces are never judged.
 */
export function writtenByDeadProcess(name: string): boolean {
  const match = tagPattern.exec(name);
  if (match?.[1] !== thisPidSpace || match[2] === undefined) return false;
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
