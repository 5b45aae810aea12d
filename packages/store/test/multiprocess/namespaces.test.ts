import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtStore, stopped, tempFolder, Worker } from './harness';

/**
 * Writers in other pid namespaces share the storage folder (containers, Flatpak or Snap sandboxes, two machines with
 * one host name on a network folder). There, `kill(pid, 0)` says nothing about a writer of another namespace: a pid
 * that does not exist here may be a live, frozen writer there. Its intent must hold back collection anyway, or its
 * thawed link lands on a number collected meanwhile and an acknowledged update is lost.
 */
const unshare = ['unshare', '--pid', '--fork', '--kill-child'];
const pidNamespaces = ((): string | undefined => {
  if (process.platform !== 'linux') return 'pid namespaces are Linux only';
  try {
    execFileSync(unshare[0] ?? '', [...unshare.slice(1), 'true'], { stdio: 'ignore' });
    return undefined;
  } catch (error) {
    return `unshare --pid is not allowed here (${String(error).split('\n')[0]}): run as root on Linux`;
  }
})();
if (pidNamespaces) console.warn(`[namespaces.test] skipped: ${pidNamespaces}`);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(pidNamespaces !== undefined)('writers in other pid namespaces', () => {
  const work = tempFolder();
  let storeModule = '';
  beforeAll(() => {
    storeModule = builtStore(work.dir);
  });
  afterAll(() => work.remove());

  it('a writer frozen before its link, while writers of another pid namespace commit and collect, loses nothing', async () => {
    const dir = join(work.dir, 'storage');
    const logs = join(work.dir, 'acks');
    mkdirSync(logs);
    const key = 'counts';
    const common = { storeModule, dir, key, keepVersions: 2 };
    // Each in a pid namespace of its own, where the frozen writer's pid does not exist. They open the store (and
    // sweep what they take for dead writers' files) before it starts.
    const others = ['ns0', 'ns1', 'ns2'].map((id) => ({ id, worker: new Worker('faultWriter', { ...common, id, count: 150, waitForGo: true, ackLog: join(logs, id) }, unshare) }));
    const ready = await Promise.all(others.map((o) => o.worker.next('ready')));
    expect(ready.map((m) => m.pid)).toEqual([1, 1, 1]); // really in namespaces of their own
    const frozen = new Worker('faultWriter', { ...common, id: 'frozen', count: 10, stopBeforeLink: 3, ackLog: join(logs, 'frozen') });
    try {
      for (const started = Date.now(); !stopped(frozen.child.pid ?? 0); await sleep(10)) {
        if (Date.now() - started > 60_000) throw new Error(`the writer meant to freeze itself did not (exit ${frozen.child.exitCode})`);
      }
      for (const o of others) o.worker.send({ type: 'go' });
      for (const o of others) expect(await o.worker.exited).toBe(0);
    } finally {
      frozen.child.kill('SIGCONT');
    }
    expect(await frozen.exited).toBe(0);

    const reader = new Worker('holder', { storeModule, dir });
    await reader.next('ready');
    reader.send({ type: 'read', key });
    const final = (await reader.next('read')).record as { version: number; payload: Record<string, number> };
    const acked = (id: string): number => (existsSync(join(logs, id)) ? readFileSync(join(logs, id), 'utf8').split('\n').filter(Boolean).length : 0);
    expect(Object.fromEntries(['frozen', ...others.map((o) => o.id)].map((id) => [id, [final.payload[id], acked(id)]]))).toEqual({
      frozen: [10, 10],
      ns0: [150, 150],
      ns1: [150, 150],
      ns2: [150, 150],
    });
    expect(final.version).toBe(460);
    await reader.kill('SIGTERM');
  });
});
