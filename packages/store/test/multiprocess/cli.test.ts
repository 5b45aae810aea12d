/**
 * The inspector (`npx @breath-master/store`) on real folders made by the real store: the BUILT dist/cli.js run as a
 * child process, its stdout, stderr and exit code checked. A damaged folder is damaged as it happens — a record
 * truncated or overwritten with garbage, a foreign file, and a writer SIGKILLed in the middle of an update (its temp
 * file and intent left behind) — and `check` must name each, `--repair` do only the store's own recovery (never
 * touching a live writer's files), and `watch` see a commit made by another process.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFileName } from '../../src/keys';
import { encodeLine } from '../../src/log/logFile';
import { StorageWrapper } from '../../src/storageWrapper';
import { thisPidSpace } from '../../src/writers';
import { builtStore, tempFolder, Worker } from './harness';

const pkg = resolve(__dirname, '../..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Every path under `dir` with its size: what a read-only command must leave exactly as it was. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string): void => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name);
      const stats = lstatSync(path);
      out.push(`${relative(dir, path)} ${stats.isDirectory() ? 'dir' : stats.size}`);
      if (stats.isDirectory()) walk(path);
    }
  };
  walk(dir);
  return out;
}

const jsonLines = (text: string): Array<Record<string, unknown>> =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('the inspector, run as a process on folders the store made', () => {
  const work = tempFolder();
  let cli = '';
  let storeModule = '';
  const children: ChildProcess[] = [];
  const run = (...args: string[]): Run => {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(() => {
    // This worktree's own build, copied away so that another build (which empties dist/) cannot pull it away.
    execFileSync(process.execPath, [join(pkg, 'scripts/build.mjs')], { cwd: pkg, stdio: 'inherit' });
    cli = join(work.dir, 'cli.js');
    copyFileSync(join(pkg, 'dist/cli.js'), cli);
    storeModule = builtStore(work.dir);
  }, 120_000);

  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    work.remove();
  });

  /** A storage folder (its path has spaces) holding three keys written by the store. */
  async function sample(name: string): Promise<string> {
    const dir = join(work.dir, `${name} with spaces`);
    const store = new StorageWrapper({ globalStoragePath: dir }, { clientId: 'tester', watch: 'poll' });
    await store.update('settings', () => ({ theme: 'dark' }));
    await store.update('settings', () => ({ theme: 'light' }));
    await store.update('a key\twith "quotes"', () => [1, 2]);
    await store.update('gone', () => 1);
    await store.delete('gone');
    await store.dispose();
    return dir;
  }

  it('ls: each key with version, last writer, lastModified, size and record count; a deleted key shows as deleted', async () => {
    const dir = await sample('ls');
    const before = tree(dir);
    const json = run('ls', dir, '--json');
    expect(json.code).toBe(0);
    const keys = jsonLines(json.stdout);
    const byKey = new Map(keys.map((k) => [k.key, k]));
    expect([...byKey.keys()].sort()).toEqual(['a key\twith "quotes"', 'gone', 'settings']);
    const settingsFolder = join(dir, 'records', keyFileName('settings'));
    const gen = readdirSync(settingsFolder).find((n) => n.startsWith('g-')) ?? '';
    const head = readFileSync(join(settingsFolder, gen, 'v000000000002.json'));
    expect(byKey.get('settings')).toEqual({
      type: 'key',
      key: 'settings',
      folder: `records/${keyFileName('settings')}`,
      state: 'ok',
      version: 2,
      clientId: 'tester',
      lastModified: (JSON.parse(head.toString('utf8')) as { lastModified: string }).lastModified,
      bytes: head.length,
      records: 2,
    });
    expect(byKey.get('gone')).toMatchObject({ state: 'deleted', version: 2, records: 2 });
    expect(byKey.get('a key\twith "quotes"')).toMatchObject({ state: 'ok', version: 1, records: 1 });

    const text = run('ls', dir);
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toBe('KEY\tVERSION\tCLIENT\tMODIFIED\tBYTES\tRECORDS');
    // Keys are JSON-quoted: a tab or a quote in a key cannot shift the columns.
    expect(lines).toContainEqual(expect.stringMatching(/^"a key\\twith \\"quotes\\""\t1\ttester\t/));
    expect(lines).toContainEqual(expect.stringMatching(/^"gone"\t2 \(deleted\)\ttester\t/));
    expect(tree(dir)).toEqual(before);
  });

  it('show: the current record as JSON, --all the kept older ones too; a missing or deleted key exits 1', async () => {
    const dir = await sample('show');
    const before = tree(dir);
    const current = run('show', dir, 'settings');
    expect(current.code).toBe(0);
    expect(JSON.parse(current.stdout)).toMatchObject({ version: 2, clientId: 'tester', key: 'settings', payload: { theme: 'light' } });
    const all = run('show', dir, 'settings', '--all', '--json');
    expect(all.code).toBe(0);
    expect(jsonLines(all.stdout).map((r) => [r.type, r.version, r.payload])).toEqual([
      ['record', 2, { theme: 'light' }],
      ['record', 1, { theme: 'dark' }],
    ]);
    const quoted = run('show', dir, 'a key\twith "quotes"');
    expect(quoted.code).toBe(0);
    expect(JSON.parse(quoted.stdout)).toMatchObject({ payload: [1, 2] });

    const missing = run('show', dir, 'no such key');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('"no such key"');
    const deleted = run('show', dir, 'gone');
    expect(deleted.code).toBe(1);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ version: 2, deleted: true, payload: null });
    expect(tree(dir)).toEqual(before);
  });

  it('show prints a compressed record as the JSON it stands for, and check finds nothing wrong with it', async () => {
    const dir = join(work.dir, 'compressed');
    const store = new StorageWrapper({ globalStoragePath: dir }, { watch: 'poll', compression: { thresholdBytes: 1024, quality: 1 } });
    const sessions = Array.from({ length: 200 }, (_, i) => ({ id: `s${i}`, minutes: i % 30 }));
    await store.set('history', { sessions });
    await store.dispose();
    const shown = run('show', dir, 'history');
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ version: 1, key: 'history', payload: { sessions } });
    const checked = run('check', dir);
    expect(checked.code).toBe(0);
    expect(checked.stdout).not.toContain('problem\t');
  });

  it('usage errors and folders that are not stores exit 2, with usage on stderr, and nothing is written', () => {
    for (const args of [[], ['--help'], ['frobnicate', work.dir], ['ls'], ['ls', work.dir, '--repair'], ['show', work.dir]]) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('Usage: breath-master-store');
    }
    const plain = join(work.dir, 'not a store');
    mkdirSync(plain);
    writeFileSync(join(plain, 'photo.jpg'), 'x');
    for (const args of [['ls', plain], ['check', plain, '--repair'], ['show', plain, 'k'], ['watch', plain], ['ls', join(work.dir, 'missing')]]) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('is not a storage folder');
    }
    expect(readdirSync(plain)).toEqual(['photo.jpg']);
    expect(existsSync(join(work.dir, 'missing'))).toBe(false);
  });

  it('check names each damage and exits 1; --repair removes only dead writers\' leftovers and keeps copies of unreadable heads', async () => {
    const dir = join(work.dir, 'damaged folder');
    const store = new StorageWrapper({ globalStoragePath: dir }, { clientId: 'tester', watch: 'poll' });
    for (const key of ['truncated', 'garbage', 'linked', 'fine']) {
      await store.update(key, () => ({ key, n: 1 }));
      await store.update(key, () => ({ key, n: 2 }));
    }
    await store.dispose();
    // A writer SIGKILLed in the middle of its update (frozen right after its link): its intent and temp file stay.
    const victim = new Worker('faultWriter', { storeModule, dir, key: 'victim', id: 'victim', count: 3, stopAfterLink: 1, ackLog: join(work.dir, 'victim.log') });
    children.push(victim.child);
    const victimPid = victim.child.pid ?? 0;
    const keyPath = (key: string): string => join(dir, 'records', keyFileName(key));
    const entries = (path: string): string[] => (existsSync(path) ? readdirSync(path) : []);
    const victimFiles = (): string[] => [...entries(keyPath('victim')), ...entries(join(dir, 'tmp'))].filter((n) => n.includes(`${thisPidSpace}-${victimPid}-`));
    for (let i = 0; i < 400 && victimFiles().length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    await victim.kill('SIGKILL');
    expect(victimFiles().length).toBeGreaterThanOrEqual(2);

    const headOf = (key: string): string => {
      const gen = readdirSync(keyPath(key)).find((n) => n.startsWith('g-')) ?? '';
      return join(keyPath(key), gen, 'v000000000002.json');
    };
    const truncated = readFileSync(headOf('truncated')).subarray(0, 20);
    writeFileSync(headOf('truncated'), truncated);
    writeFileSync(headOf('garbage'), '\u0000\u0001 not json at all');
    writeFileSync(join(dir, 'notes.txt'), 'left here by someone');
    // A symbolic link in a record's place (never followed): unreadable too.
    rmSync(headOf('linked'));
    symlinkSync(headOf('fine'), headOf('linked'));
    // A live writer's leftovers (this test process is alive) and one of another pid space: never judged dead.
    const liveTemp = `${thisPidSpace}-${process.pid}-0badc0de-0`;
    writeFileSync(join(dir, 'tmp', liveTemp), 'being written');
    const foreignSpace = thisPidSpace === 'ffffffff' ? 'eeeeeeee' : 'ffffffff';
    const otherSpaceTemp = `${foreignSpace}-${victimPid}-0badc0de-0`;
    writeFileSync(join(dir, 'tmp', otherSpaceTemp), 'a container writes this');

    const before = tree(dir);
    const first = run('check', dir, '--json');
    expect(first.code).toBe(1);
    expect(tree(dir)).toEqual(before); // check alone writes nothing
    const lines = jsonLines(first.stdout);
    const problems = lines.filter((l) => l.type === 'problem').map((l) => `${String(l.kind)} ${String(l.path)}`);
    const rel = (path: string): string => relative(dir, path).split('\\').join('/');
    expect(problems.sort()).toEqual(
      [
        `unreadable-record ${rel(headOf('truncated'))}`,
        `unreadable-record ${rel(headOf('garbage'))}`,
        `unreadable-record ${rel(headOf('linked'))}`,
        'foreign-file notes.txt',
        ...victimFiles().map((n) => (n.startsWith('w-') ? `dead-writer-intent ${rel(join(keyPath('victim'), n))}` : `dead-writer-temp tmp/${n}`)),
      ].sort(),
    );
    expect(lines[lines.length - 1]).toEqual({ type: 'summary', problems: problems.length, keys: 5 });
    expect(first.stdout).not.toContain(liveTemp);
    expect(first.stdout).not.toContain(otherSpaceTemp);

    const repaired = run('check', dir, '--repair');
    expect(repaired.stdout).toContain('repair\tkept-copy');
    expect(repaired.code).toBe(1); // the foreign file is not the store's to remove
    expect(victimFiles()).toEqual([]);
    for (const [key, bytes] of [['truncated', truncated], ['garbage', Buffer.from('\u0000\u0001 not json at all')]] as const) {
      expect(readFileSync(headOf(key).replace(/v(\d+\.json)$/, 'corrupt-v$1'))).toEqual(Buffer.from(bytes));
      expect(readFileSync(headOf(key))).toEqual(Buffer.from(bytes)); // the record itself stays
    }
    expect(lstatSync(headOf('linked').replace(/v(\d+\.json)$/, 'corrupt-v$1')).isSymbolicLink()).toBe(true);
    expect(readdirSync(join(dir, 'tmp')).sort()).toEqual([liveTemp, otherSpaceTemp].sort());
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('left here by someone');

    rmSync(join(dir, 'notes.txt'));
    const after = run('check', dir, '--json');
    expect(after.code).toBe(0);
    const notices = jsonLines(after.stdout).filter((l) => l.type === 'notice');
    expect(notices.map((l) => [l.kind, l.key])).toEqual(
      expect.arrayContaining([
        ['damaged-head-kept', 'truncated'],
        ['damaged-head-kept', 'garbage'],
        ['damaged-head-kept', 'linked'],
      ]),
    );
    // ls keeps going past the damaged records and names them.
    const listed = run('ls', dir, '--json');
    expect(listed.code).toBe(0);
    expect(jsonLines(listed.stdout).map((k) => [k.key, k.state])).toEqual(
      expect.arrayContaining([
        ['truncated', 'damaged'],
        ['garbage', 'damaged'],
        ['fine', 'ok'],
      ]),
    );
    expect(listed.stderr).toContain(rel(headOf('truncated')));
  });

  it('check names a folder in a record\'s place, and a key folder without a generation or with two', async () => {
    const dir = join(work.dir, 'odd folders');
    const store = new StorageWrapper({ globalStoragePath: dir }, { clientId: 'tester', watch: 'poll' });
    for (const key of ['folder', 'twice']) await store.update(key, () => 1);
    await store.dispose();
    const keyPath = (key: string): string => join(dir, 'records', keyFileName(key));
    const gen = (key: string): string => readdirSync(keyPath(key)).find((n) => n.startsWith('g-')) ?? '';
    mkdirSync(join(keyPath('folder'), gen('folder'), 'v000000000002.json'));
    mkdirSync(join(keyPath('twice'), 'g-ffffffffffffffff'));
    mkdirSync(keyPath('empty'));
    const r = run('check', dir, '--json');
    expect(r.code).toBe(1);
    const problems = jsonLines(r.stdout).filter((l) => l.type === 'problem');
    expect(problems.map((l) => [l.kind, l.path])).toEqual(
      expect.arrayContaining([
        ['unreadable-record', `records/${keyFileName('folder')}/${gen('folder')}/v000000000002.json`],
        ['several-generations', `records/${keyFileName('twice')}`],
        ['no-generation', `records/${keyFileName('empty')}`],
      ]),
    );
    expect(problems.find((l) => l.kind === 'unreadable-record')?.detail).toBe('a folder in place of a record');
    expect(problems).toHaveLength(3);
  });

  /**
   * A convergent counter "hits" written by three store instances: B, live in this process (two adds, so both of its
   * slots hold a number); C, another process that added and was then SIGKILLed (gone, its contribution not folded:
   * nobody opened the key since); and A, disposed (its contribution folded into the base), whose slot files are put
   * back as a fold killed between its commit and the removal leaves them. Beside it an ordinary key.
   */
  async function convergentSample(name: string): Promise<{ dir: string; gen: string; a: string; b: string; c: string; live: StorageWrapper }> {
    const dir = join(work.dir, name);
    const live = new StorageWrapper({ globalStoragePath: dir }, { watch: 'poll' });
    await live.counter('hits').add(10);
    await live.counter('hits').add(20);
    await live.update('plain', () => ({ n: 1 }));
    const keyPath = join(dir, 'records', keyFileName('hits'));
    const gen = join(keyPath, readdirSync(keyPath).find((n) => n.startsWith('g-')) ?? '');
    // C stays alive while A opens the key and folds (a window opening a key folds gone writers), then is killed.
    const script = `const { StorageWrapper } = require(${JSON.stringify(storeModule)});
(async () => {
  const s = new StorageWrapper({ globalStoragePath: process.argv[1] }, { watch: 'poll' });
  await s.counter('hits').add(100);
  process.stdout.write(s.clientId + '\\n');
  setInterval(() => undefined, 1000);
})();`;
    const child = spawn(process.execPath, ['-e', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const c = await new Promise<string>((done, fail) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.endsWith('\n')) done(out.trim());
      });
      child.once('exit', () => fail(new Error('the writer exited early')));
    });
    const disposed = new StorageWrapper({ globalStoragePath: dir }, { watch: 'poll' });
    await disposed.counter('hits').add(3);
    await disposed.counter('hits').add(4);
    const kept = [0, 1].map((slot) => [`c-${disposed.clientId}-${slot}.json`, readFileSync(join(gen, `c-${disposed.clientId}-${slot}.json`))] as const);
    await disposed.dispose();
    expect(readdirSync(gen).filter((n) => n.includes(disposed.clientId))).toEqual([]); // folded, its files removed
    for (const [file, bytes] of kept) writeFileSync(join(gen, file), bytes);
    child.kill('SIGKILL');
    await exited;
    return { dir, gen, a: disposed.clientId, b: live.clientId, c, live };
  }

  it('show and ls on a convergent counter: its type, merged value, folded writers and each contribution with its own value', async () => {
    const { dir, gen, a, b, c, live } = await convergentSample('convergent show');
    try {
      const before = tree(dir);
      const text = run('show', dir, 'hits');
      expect(text.code).toBe(0);
      const lines = text.stdout.split('\n');
      // 7 folded into the base + B's 30 + C's 100; A's files are there again but A is folded: not counted twice.
      expect(lines[0]).toBe('"hits": convergent counter, value 137');
      expect(lines[1]).toBe(`folded into the base: ${a} (seq 2)`);
      expect(lines[2]).toBe('contributions:');
      expect(lines.slice(3, 6).sort()).toEqual([`  ${a}\tseq 2\tvalue 7\t(folded)`, `  ${b}\tseq 2\tvalue 30`, `  ${c}\tseq 1\tvalue 100`].sort());
      // Then the base record, as for any key.
      expect(JSON.parse(lines.slice(6).join('\n'))).toMatchObject({ key: 'hits', payload: { convergent: 'counter', state: { '': { p: 7, n: 0 } }, folded: { [a]: 2 } } });

      const json = run('show', dir, 'hits', '--json');
      expect(json.code).toBe(0);
      const [summary, record] = jsonLines(json.stdout);
      const rel = (file: string): string => relative(dir, join(gen, file)).split('\\').join('/');
      expect(summary).toEqual({
        type: 'convergent',
        key: 'hits',
        convergent: 'counter',
        value: 137,
        folded: { [a]: 2 },
        contributions: expect.arrayContaining([
          { writer: a, seq: 2, value: 7, folded: true, slots: [{ slot: 0, path: rel(`c-${a}-0.json`), seq: 2 }, { slot: 1, path: rel(`c-${a}-1.json`), seq: 1 }] },
          { writer: b, seq: 2, value: 30, folded: false, slots: [{ slot: 0, path: rel(`c-${b}-0.json`), seq: 2 }, { slot: 1, path: rel(`c-${b}-1.json`), seq: 1 }] },
          { writer: c, seq: 1, value: 100, folded: false, slots: [{ slot: 1, path: rel(`c-${c}-1.json`), seq: 1 }] },
        ]) as unknown,
      });
      expect(summary?.contributions).toHaveLength(3);
      expect(record).toMatchObject({ type: 'record', key: 'hits', payload: { convergent: 'counter' } });

      // An ordinary key beside it is shown as before.
      const plain = run('show', dir, 'plain');
      expect(JSON.parse(plain.stdout)).toMatchObject({ key: 'plain', payload: { n: 1 } });
      const listed = jsonLines(run('ls', dir, '--json').stdout);
      expect(listed.find((k) => k.key === 'hits')).toMatchObject({ convergent: 'counter', value: 137, contributions: 3 });
      expect(listed.find((k) => k.key === 'plain')).not.toHaveProperty('convergent');
      expect(tree(dir)).toEqual(before);
    } finally {
      await live.dispose();
    }
  });

  it('check on a convergent key: slots are not foreign, a gone writer not folded yet and a torn slot with a readable twin are notices, a writer with no readable slot a problem', async () => {
    const { dir, gen, a, b, c, live } = await convergentSample('convergent check');
    try {
      const rel = (file: string): string => relative(dir, join(gen, file)).split('\\').join('/');
      const findings = (r: Run): string[] =>
        jsonLines(r.stdout)
          .filter((l) => l.type !== 'summary')
          .map((l) => `${String(l.type)} ${String(l.kind)} ${String(l.path)}`)
          .sort();
      const before = tree(dir);
      const clean = run('check', dir, '--json');
      expect(clean.code).toBe(0);
      expect(findings(clean)).toEqual(
        [`notice unfolded-dead-writer ${rel(`c-${c}-1.json`)}`, `notice folded-writer-files ${rel(`c-${a}-0.json`)}`].sort(),
      );
      expect(jsonLines(clean.stdout).find((l) => l.kind === 'unfolded-dead-writer')?.detail).toContain('will be folded when a window opens the key');
      expect(tree(dir)).toEqual(before); // check alone writes nothing

      // B's newest slot torn (as a write in flight or killed leaves it): its other slot counts.
      const torn = Buffer.from(readFileSync(join(gen, `c-${b}-0.json`)));
      torn[torn.length - 3] = torn[torn.length - 3] === 0x30 ? 0x31 : 0x30; // one hex digit of the checksum
      writeFileSync(join(gen, `c-${b}-0.json`), torn);
      const oneTorn = run('check', dir, '--json');
      expect(oneTorn.code).toBe(0);
      expect(findings(oneTorn)).toContain(`notice torn-slot ${rel(`c-${b}-0.json`)}`);
      const shown = run('show', dir, 'hits');
      expect(shown.stdout.split('\n')[0]).toBe('"hits": convergent counter, value 117'); // 7 + 10 + 100
      expect(shown.stdout).toContain(`  ${b}\tseq 1\tvalue 10\t(torn slot)`);

      // C's only slot torn too: nothing of C is readable, a problem.
      writeFileSync(join(gen, `c-${c}-1.json`), readFileSync(join(gen, `c-${c}-1.json`)).subarray(0, 30));
      const bothTorn = run('check', dir);
      expect(bothTorn.code).toBe(1);
      const problems = bothTorn.stdout.split('\n').filter((l) => l.startsWith('problem\t'));
      expect(problems).toEqual([expect.stringMatching(new RegExp(`^problem\ttorn-slot\t${rel(`c-${c}-1.json`)}\t"hits"\t.*no readable slot`)) as unknown]);
      expect(bothTorn.stdout).toContain('1 problem found');
      expect(bothTorn.stdout).not.toContain('foreign-file');
      expect(run('show', dir, 'hits').stdout).toContain(`  ${c}\tseq -\tvalue -\t(torn slot)`);
    } finally {
      await live.dispose();
    }
  });

  /**
   * A per-writer log "history" written by three store instances: B, live in this process (b1, b2); C, another process
   * that appended c1 and b1 again (an id already there: it counts once) and was then SIGKILLed (gone, its log not
   * folded: nobody opened the key since); and A, disposed (its log folded into the snapshot, a1 and a2), whose log
   * file is put back as a compaction killed between its commit and the removal leaves it. Beside it an ordinary key.
   */
  async function logSample(name: string): Promise<{ dir: string; gen: string; a: string; b: string; c: string; live: StorageWrapper }> {
    const dir = join(work.dir, name);
    const live = new StorageWrapper({ globalStoragePath: dir }, { watch: 'poll' });
    await live.log('history').append('b1', { n: 1 });
    await live.log('history').append('b2', { n: 2 });
    await live.update('plain', () => ({ n: 1 }));
    const keyPath = join(dir, 'records', keyFileName('history'));
    const gen = join(keyPath, readdirSync(keyPath).find((n) => n.startsWith('g-')) ?? '');
    // C stays alive while A opens the key (a window opening a log folds gone writers' logs), then is killed.
    const script = `const { StorageWrapper } = require(${JSON.stringify(storeModule)});
(async () => {
  const s = new StorageWrapper({ globalStoragePath: process.argv[1] }, { watch: 'poll' });
  await s.log('history').append('c1', 'from c');
  await s.log('history').append('b1', 'again');
  process.stdout.write(s.clientId + '\\n');
  setInterval(() => undefined, 1000);
})();`;
    const child = spawn(process.execPath, ['-e', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const c = await new Promise<string>((done, fail) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.endsWith('\n')) done(out.trim());
      });
      child.once('exit', () => fail(new Error('the writer exited early')));
    });
    const disposed = new StorageWrapper({ globalStoragePath: dir }, { watch: 'poll' });
    await disposed.log('history').append('a1', [1]);
    await disposed.log('history').append('a2', [2]);
    const file = `l-${disposed.clientId}.log`;
    const kept = readFileSync(join(gen, file));
    await disposed.dispose();
    expect(readdirSync(gen).filter((n) => n.includes(disposed.clientId))).toEqual([]); // folded, its file removed
    writeFileSync(join(gen, file), kept);
    child.kill('SIGKILL');
    await exited;
    return { dir, gen, a: disposed.clientId, b: live.clientId, c, live };
  }

  it('show and ls on a per-writer log: its entry count, the snapshot, each writer\'s log, and --entries in the order windows read them', async () => {
    const { dir, gen, a, b, c, live } = await logSample('log show');
    try {
      const before = tree(dir);
      const text = run('show', dir, 'history', '--entries');
      expect(text.code).toBe(0);
      const lines = text.stdout.split('\n');
      // b1 b2 (B), c1 (C; its b1 is a repeat), a1 a2 (A, from the snapshot: its file put back is not read again).
      expect(lines[0]).toBe('"history": log, 5 entries');
      expect(lines[1]).toBe(`snapshot: 2 events; folded into it: ${a} (2 lines)`);
      expect(lines[2]).toBe('logs:');
      expect(lines.slice(3, 6).sort()).toEqual([`  ${a}\t2 lines\t(folded)`, `  ${b}\t2 lines`, `  ${c}\t2 lines`].sort());
      expect(lines[6]).toBe('entries:');
      const entries = lines.slice(7, 12).map((l) => l.split('\t'));
      expect(entries.map(([, writer, id, data]) => [writer, id, data])).toEqual([
        [b, '"b1"', '{"n":1}'],
        [b, '"b2"', '{"n":2}'],
        [c, '"c1"', '"from c"'],
        [a, '"a1"', '[1]'],
        [a, '"a2"', '[2]'],
      ]);
      const stamps = entries.map(([stamp]) => (stamp ?? '').trim());
      expect([...stamps].sort()).toEqual(stamps);
      // The same order as a window's entries() — the live one's, which read the others' files and the snapshot.
      await live.refresh();
      const shown = entries.map(([stamp, writer, id]) => [(stamp ?? '').trim(), writer, JSON.parse(id ?? '') as string]);
      expect(live.log('history').entries().map((e) => [e.stamp, e.writer, e.id])).toEqual(shown);
      // Then the snapshot record, as for any key.
      expect(JSON.parse(lines.slice(12).join('\n'))).toMatchObject({ key: 'history', payload: { log: 1, folded: { [a]: 2 } } });
      // Without --entries, no entries.
      expect(run('show', dir, 'history').stdout).not.toContain('entries:');

      const json = run('show', dir, 'history', '--json', '--entries');
      expect(json.code).toBe(0);
      const [summary, ...rest] = jsonLines(json.stdout);
      const rel = (file: string): string => relative(dir, join(gen, file)).split('\\').join('/');
      expect(summary).toEqual({
        type: 'log',
        key: 'history',
        entries: 5,
        snapshot: { events: 2, folded: { [a]: 2 } },
        logs: expect.arrayContaining([
          { writer: a, path: rel(`l-${a}.log`), lines: 2, bytes: statSync(join(gen, `l-${a}.log`)).size, torn: 0, folded: true },
          { writer: b, path: rel(`l-${b}.log`), lines: 2, bytes: statSync(join(gen, `l-${b}.log`)).size, torn: 0, folded: false },
          { writer: c, path: rel(`l-${c}.log`), lines: 2, bytes: statSync(join(gen, `l-${c}.log`)).size, torn: 0, folded: false },
        ]) as unknown,
      });
      expect(summary?.logs).toHaveLength(3);
      expect(rest.filter((l) => l.type === 'entry').map((e) => [e.id, e.writer, e.data])).toEqual([
        ['b1', b, { n: 1 }],
        ['b2', b, { n: 2 }],
        ['c1', c, 'from c'],
        ['a1', a, [1]],
        ['a2', a, [2]],
      ]);
      expect(rest.at(-1)).toMatchObject({ type: 'record', key: 'history', payload: { log: 1 } });

      const listed = jsonLines(run('ls', dir, '--json').stdout);
      expect(listed.find((k) => k.key === 'history')).toMatchObject({ log: true, entries: 5, logs: 3 });
      expect(listed.find((k) => k.key === 'plain')).not.toHaveProperty('log');
      const plain = run('show', dir, 'plain', '--entries');
      expect(plain.code).toBe(0);
      expect(plain.stderr).toContain('is no log');
      expect(tree(dir)).toEqual(before);
    } finally {
      await live.dispose();
    }
  });

  it('check on a per-writer log: log files are not foreign, a gone writer\'s unfolded log and torn tails are notices, lines a fold missed and a snapshot that does not parse are problems', async () => {
    const { dir, gen, a, b, c, live } = await logSample('log check');
    try {
      const rel = (file: string): string => relative(dir, join(gen, file)).split('\\').join('/');
      const findings = (r: Run): string[] =>
        jsonLines(r.stdout)
          .filter((l) => l.type !== 'summary')
          .map((l) => `${String(l.type)} ${String(l.kind)} ${String(l.path)}`)
          .sort();
      const before = tree(dir);
      const clean = run('check', dir, '--json');
      expect(clean.code).toBe(0);
      expect(findings(clean)).toEqual([`notice unfolded-dead-writer ${rel(`l-${c}.log`)}`, `notice folded-writer-files ${rel(`l-${a}.log`)}`].sort());
      expect(jsonLines(clean.stdout).find((l) => l.kind === 'unfolded-dead-writer')?.detail).toContain('folded into the snapshot when a window opens the key');
      expect(tree(dir)).toEqual(before); // check alone writes nothing

      // Torn tails, as an append killed mid-write (C, gone) or still being written (B, live) leaves them.
      const partial = Buffer.from('{"id":"x","t":"0001a2', 'utf8');
      appendFileSync(join(gen, `l-${b}.log`), partial);
      appendFileSync(join(gen, `l-${c}.log`), partial);
      const torn = run('check', dir, '--json');
      expect(torn.code).toBe(0);
      expect(findings(torn)).toEqual(
        [
          `notice unfolded-dead-writer ${rel(`l-${c}.log`)}`,
          `notice folded-writer-files ${rel(`l-${a}.log`)}`,
          `notice torn-log-tail ${rel(`l-${b}.log`)}`,
          `notice torn-log-tail ${rel(`l-${c}.log`)}`,
        ].sort(),
      );
      const tornDetail = (file: string): string => String(jsonLines(torn.stdout).find((l) => l.kind === 'torn-log-tail' && l.path === rel(file))?.detail);
      expect(tornDetail(`l-${b}.log`)).toMatch(new RegExp(`^${partial.length} bytes after its last whole line \\(2 lines readable\\): an append being written`));
      expect(tornDetail(`l-${c}.log`)).toContain('an append its writer was killed in');
      const shown = run('show', dir, 'history');
      expect(shown.stdout.split('\n')[0]).toBe('"history": log, 5 entries');
      expect(shown.stdout).toContain(`  ${b}\t2 lines\t(torn tail: ${partial.length} bytes)`);
      expect(shown.stdout).toContain(`  ${c}\t2 lines\t(torn tail: ${partial.length} bytes)`);

      // A whole line in a folded writer's log beyond what the snapshot says was folded: nobody reads it.
      appendFileSync(join(gen, `l-${a}.log`), encodeLine({ id: 'a3', t: '0001a2515835a7.00000000', data: 3 }));
      const missed = run('check', dir);
      expect(missed.code).toBe(1);
      const problems = missed.stdout.split('\n').filter((l) => l.startsWith('problem\t'));
      expect(problems).toEqual([expect.stringMatching(new RegExp(`^problem\tfolded-writer-files\t${rel(`l-${a}.log`)}\t"history"\t.*1 more: those are not read`)) as unknown]);
      expect(missed.stdout).not.toContain('foreign-file');
      expect(run('show', dir, 'history', '--entries').stdout).not.toContain('"a3"');

      // A record that is no snapshot (written by another instance that never opened the log): the store reads it as empty.
      const other = new StorageWrapper({ globalStoragePath: dir }, { watch: 'poll' });
      await other.update('history', () => ({ log: 1, events: [{ id: 'no stamp', w: a, data: 1 }], folded: {} }));
      await other.dispose();
      const bad = run('check', dir, '--json');
      expect(bad.code).toBe(1);
      const snapshot = jsonLines(bad.stdout).find((l) => l.kind === 'log-snapshot');
      expect(snapshot).toMatchObject({ type: 'problem', path: `records/${keyFileName('history')}`, key: 'history' });
      expect(String(snapshot?.detail)).toContain('event stamp is not an encoded stamp'); // parseSnapshot's own words
      const badShow = run('show', dir, 'history');
      expect(badShow.stdout.split('\n').slice(0, 2)).toEqual([
        '"history": log, 6 entries', // nothing folded now: b1 b2 (B), c1 (C), a1 a2 a3 (A's log, read again)
        `  ! ${String(snapshot?.detail)}`,
      ]);
    } finally {
      await live.dispose();
    }
  });

  it('watch prints a commit made by another process within seconds, only of the key asked for, and ends on SIGINT', async () => {
    const dir = await sample('watch');
    const watcher = spawn(process.execPath, [cli, 'watch', dir, 'live key', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(watcher);
    let stdout = '';
    watcher.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const exited = new Promise<number | null>((done) => watcher.once('exit', (code) => done(code)));
    await new Promise((r) => setTimeout(r, 500)); // its first scan: what is there already is not a commit to print

    const script = `const { StorageWrapper } = require(${JSON.stringify(storeModule)});
(async () => {
  const s = new StorageWrapper({ globalStoragePath: process.argv[1] }, { clientId: 'other-process', watch: 'poll' });
  await s.update('noise', () => 1);
  await s.update('live key', () => ({ hello: 'world' }));
  await s.dispose();
})();`;
    execFileSync(process.execPath, ['-e', script, dir], { timeout: 30_000 });
    const deadline = Date.now() + 5_000;
    while (!stdout.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    watcher.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(jsonLines(stdout)).toEqual([{ type: 'commit', key: 'live key', version: 1, clientId: 'other-process', lastModified: expect.any(String) as string, deleted: false }]);
  });

  it('watch on a whole folder writes nothing itself and prints each key\'s commits, in text', async () => {
    const dir = await sample('watch all');
    const before = tree(dir);
    const watcher = spawn(process.execPath, [cli, 'watch', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(watcher);
    let stdout = '';
    watcher.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const exited = new Promise<number | null>((done) => watcher.once('exit', (code) => done(code)));
    await new Promise((r) => setTimeout(r, 700));
    expect(tree(dir)).toEqual(before); // a watcher that opened a store would have written a probe by now
    const script = `const { StorageWrapper } = require(${JSON.stringify(storeModule)});
(async () => {
  const s = new StorageWrapper({ globalStoragePath: process.argv[1] }, { clientId: 'other-process', watch: 'poll' });
  await s.update('settings', () => ({ theme: 'blue' }));
  await s.delete('a key\\twith "quotes"');
  await s.dispose();
})();`;
    execFileSync(process.execPath, ['-e', script, dir], { timeout: 30_000 });
    const deadline = Date.now() + 5_000;
    while (stdout.split('\n').length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    watcher.kill('SIGINT');
    expect(await exited).toBe(0);
    // One poll may see both commits or each alone: sorted, as the order across keys is the polls'.
    const lines = stdout
      .trim()
      .split('\n')
      .sort()
      .map((l) => l.split('\t').slice(0, 3));
    expect(lines).toEqual([
      ['"a key\\twith \\"quotes\\""', 'v2 (deleted)', 'other-process'],
      ['"settings"', 'v3', 'other-process'],
    ]);
  });
});
