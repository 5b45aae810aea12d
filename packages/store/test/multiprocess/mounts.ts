import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real FUSE mounts for the store's multi-process suite: sshfs (through an sshd of our own on 127.0.0.1, a network
 * file system with whole-second times and a directory cache) and fusefat (a FAT image: no hard links, no chmod).
 * Mounting needs root and the tools; `.ci/run` installs them (sshfs, openssh-server, fusefat, dosfstools).
 * `mountSkipReason` says why a machine cannot, so that the tests skip with that message instead of failing.
 */
export interface Mount {
  /** The mount point: where the store runs. */
  path: string;
  /** sshfs only: the same folder on the server's side (local to this machine, not through FUSE). */
  serverPath?: string;
  unmount(): void;
}

const tools: Record<'sshfs' | 'fat', string[]> = {
  sshfs: ['/usr/bin/sshfs', '/usr/sbin/sshd', '/usr/bin/ssh-keygen', '/usr/bin/fusermount'],
  fat: ['/usr/bin/fusefat', '/usr/sbin/mkfs.vfat', '/usr/bin/fusermount'],
};

export function mountSkipReason(kind: 'sshfs' | 'fat'): string | undefined {
  if (process.platform !== 'linux') return `${kind} mounts: Linux only`;
  if (process.getuid?.() !== 0) return `${kind} mounts need root (mount, sshd)`;
  if (!existsSync('/dev/fuse')) return `${kind} mounts need /dev/fuse`;
  const missing = tools[kind].filter((path) => !existsSync(path));
  if (missing.length > 0) return `${kind} mounts: missing ${missing.join(', ')} (apt-get install sshfs openssh-server fusefat dosfstools)`;
  return undefined;
}

/** Whether the tests of `kind` run here; prints why not once, as vitest's skip gives no reason. */
export function canMount(kind: 'sshfs' | 'fat'): boolean {
  const reason = mountSkipReason(kind);
  if (reason) console.warn(`[mounts] SKIPPED: ${reason}`);
  return reason === undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function unmountQuietly(path: string): void {
  for (let i = 0; i < 20; i++) {
    const result = spawnSync('fusermount', ['-u', path], { encoding: 'utf8' });
    if (result.status === 0 || !readFileSync('/proc/mounts', 'utf8').includes(` ${path} `)) return;
    spawnSync('sleep', ['0.1']);
  }
  spawnSync('fusermount', ['-uz', path]);
}

/**
 * sshfs of a server folder at a mount point, through an sshd bound to 127.0.0.1 on a free port with its own config,
 * host key and client key in a temp folder. `options`: more `-o` options for sshfs (e.g. `dir_cache=no`).
 */
export async function mountSshfs(options: string[] = []): Promise<Mount> {
  const base = mkdtempSync(join(tmpdir(), 'bm-sshfs-'));
  const port = await freePort();
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(base, 'host_key')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(base, 'client_key')]);
  writeFileSync(join(base, 'authorized_keys'), readFileSync(join(base, 'client_key.pub')), { mode: 0o600 });
  writeFileSync(
    join(base, 'sshd_config'),
    [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${join(base, 'host_key')}`,
      `AuthorizedKeysFile ${join(base, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      `PidFile ${join(base, 'sshd.pid')}`,
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
  mkdirSync('/run/sshd', { recursive: true });
  const serverPath = join(base, 'server');
  const path = join(base, 'mnt');
  mkdirSync(serverPath);
  mkdirSync(path);
  let sshdPid: number | undefined;
  const cleanup = (): void => {
    unmountQuietly(path);
    if (sshdPid !== undefined) {
      try {
        process.kill(sshdPid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    rmSync(base, { recursive: true, force: true });
  };
  try {
    execFileSync('/usr/sbin/sshd', ['-f', join(base, 'sshd_config'), '-E', join(base, 'sshd.log')]);
    for (let i = 0; i < 50 && !existsSync(join(base, 'sshd.pid')); i++) spawnSync('sleep', ['0.05']);
    sshdPid = Number(readFileSync(join(base, 'sshd.pid'), 'utf8').trim());
    const sshOptions = [`IdentityFile=${join(base, 'client_key')}`, 'StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null', 'BatchMode=yes', 'LogLevel=ERROR', ...options];
    execFileSync('sshfs', ['-p', String(port), '-o', sshOptions.join(','), `root@127.0.0.1:${serverPath}`, path], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (error) {
    cleanup();
    throw error;
  }
  return { path, serverPath, unmount: cleanup };
}

/** A FAT image (mkfs.vfat) mounted read-write with fusefat. */
export function mountFat(): Mount {
  const base = mkdtempSync(join(tmpdir(), 'bm-fat-'));
  const image = join(base, 'fat.img');
  const path = join(base, 'mnt');
  mkdirSync(path);
  const cleanup = (): void => {
    unmountQuietly(path);
    rmSync(base, { recursive: true, force: true });
  };
  try {
    execFileSync('truncate', ['-s', '16M', image]);
    execFileSync('/usr/sbin/mkfs.vfat', [image], { stdio: 'ignore' });
    execFileSync('fusefat', ['-o', 'rw+', image, path]);
  } catch (error) {
    cleanup();
    throw error;
  }
  return { path, unmount: cleanup };
}
