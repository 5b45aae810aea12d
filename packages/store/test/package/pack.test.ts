/**
 * The package as a user gets it: `npm pack` in packages/store (its `prepack` builds it first), the tarball's exact
 * contents, then a fresh project outside the repository installs the tarball and four processes count through
 * the public API only (`require('@breath-master/store')`).
 */
import { ChildProcess, execFileSync, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkg = resolve(__dirname, '../..');
const WRITERS = 4;
const INCREMENTS = 100;

/** npm as a user would run it: without the npm_* variables of a surrounding `npm run` (they name this repository). */
function npm(args: string[], cwd: string): string {
  const keep = new Set(['npm_config_cache', 'npm_config_userconfig', 'npm_config_registry']);
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) || keep.has(name.toLowerCase())));
  return execFileSync('npm', args, { cwd, env, encoding: 'utf8', shell: process.platform === 'win32', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** The paths of the regular files in a .tgz (ustar, as npm writes it), without the leading `package/`. */
function tarballFiles(tarball: string): string[] {
  const tar = gunzipSync(readFileSync(tarball));
  const files: string[] = [];
  const text = (from: number, length: number) => tar.subarray(from, from + length).toString('utf8').replace(/\0.*$/s, '');
  for (let at = 0; at + 512 <= tar.length; ) {
    const name = text(at, 100);
    if (name === '') break; // the two empty blocks at the end
    const size = parseInt(text(at + 124, 12).trim() || '0', 8);
    const type = text(at + 156, 1);
    const prefix = text(at + 345, 155);
    const path = prefix ? `${prefix}/${name}` : name;
    if (type === '0' || type === '') files.push(path.replace(/^package\//, ''));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files.sort();
}

describe('the packed @breath-master/store', () => {
  let work: string;
  let tarball: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'bm-pack-'));
    npm(['pack', '--pack-destination', work], pkg);
    const packed = readdirSync(work).filter((f) => f.endsWith('.tgz'));
    const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string };
    expect(packed).toEqual([`breath-master-store-${version}.tgz`]);
    tarball = join(work, packed[0]!);
  }, 180_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('holds the built code, its types, README.md, CHANGELOG.md, LICENSE and package.json — and nothing else', () => {
    // The store's declarations; the inspector (src/cli.ts, src/cli/) has no API and ships as dist/cli.js only.
    const declarations = readdirSync(join(pkg, 'src'), { recursive: true, encoding: 'utf8' })
      .map((f) => f.split(sep).join('/'))
      .filter((f) => f.endsWith('.ts') && f !== 'cli.ts' && !f.startsWith('cli/'))
      .map((f) => `dist/${f.replace(/\.ts$/, '.d.ts')}`);
    expect(declarations).toContain('dist/index.d.ts');
    const code = ['dist/index.js', 'dist/index.js.map', 'dist/vscode.js', 'dist/vscode.js.map', 'dist/cli.js', 'dist/cli.js.map'];
    const expected = ['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json', ...code, ...declarations].sort();
    const files = tarballFiles(tarball);
    expect(files).toEqual(expected);

    // What package.json points users at is in the tarball (the workspace-only source condition aside).
    const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as {
      main: string;
      types: string;
      bin: Record<string, string>;
      exports: Record<string, string | Record<string, string>>;
    };
    for (const entry of Object.values(manifest.exports)) {
      const { 'breath-master-source': _source, ...forUsers } = typeof entry === 'string' ? { default: entry } : entry;
      for (const target of [manifest.main, manifest.types, ...Object.values(forUsers)]) expect(files).toContain(target.replace(/^\.\//, ''));
    }
    // The inspector: `npx @breath-master/store` runs dist/cli.js, a node script.
    expect(manifest.bin).toEqual({ 'breath-master-store': 'dist/cli.js' });
    expect(readFileSync(join(pkg, 'dist/cli.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('installs in a fresh project, and 4 processes × 100 increments of one key — and 100 adds each to one counter — through the public API end at exactly 400', async () => {
    const project = join(work, 'consumer');
    const storage = join(work, 'storage');
    mkdirSync(project);
    mkdirSync(storage);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'bm-store-consumer', version: '1.0.0', private: true }, null, 2));
    npm(['install', '--no-audit', '--no-fund', '--offline', tarball], project);

    // Installed as a copy in the project, not a link back into this repository.
    const installed = realpathSync(join(project, 'node_modules', '@breath-master', 'store'));
    expect(relative(realpathSync(project), installed).split(sep)[0]).toBe('node_modules');

    // Only `require('@breath-master/store')`: the scripts live in the project and know no path into the package.
    writeFileSync(join(project, 'writer.js'), `'use strict';
const { StorageWrapper } = require('@breath-master/store');
const [dir, clientId, n] = process.argv.slice(2);
const store = new StorageWrapper({ globalStoragePath: dir }, { clientId });
process.send({ type: 'ready', module: require.resolve('@breath-master/store') });
process.once('message', async () => {
  const adds = store.counter('adds');
  for (let i = 0; i < Number(n); i++) {
    await store.update('count', (value) => value + 1, 0);
    await adds.add(1);
  }
  await store.dispose();
  process.send({ type: 'done' }, () => process.disconnect());
});
`);
    writeFileSync(join(project, 'reader.js'), `'use strict';
const { StorageWrapper, isStorageWrapper } = require('@breath-master/store');
(async () => {
  const store = new StorageWrapper({ globalStoragePath: process.argv[2] }, { watch: 'poll' });
  const record = await store.read('count', 0);
  const adds = store.counter('adds').value();
  await store.dispose();
  process.stdout.write(JSON.stringify({ version: record.version, payload: record.payload, adds, brand: isStorageWrapper(store) }));
})();
`);

    const children: ChildProcess[] = [];
    try {
      const exits: Array<Promise<number | null>> = [];
      const ready: Array<Promise<{ module: string }>> = [];
      for (let i = 0; i < WRITERS; i++) {
        // Plain Node as a user runs it: not this test worker's flags (vitest adds --conditions breath-master-source).
        const child = fork(join(project, 'writer.js'), [storage, `writer-${i}`, String(INCREMENTS)], { cwd: project, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        children.push(child);
        exits.push(new Promise((done) => child.once('exit', (code) => done(code))));
        ready.push(new Promise((done, fail) => {
          child.once('message', (m) => done(m as { module: string }));
          child.once('exit', (code) => fail(new Error(`writer-${i} exited (${code}) before it was ready`)));
        }));
      }
      const modules = await Promise.all(ready);
      for (const { module } of modules) expect(realpathSync(module)).toBe(join(installed, 'dist', 'index.js'));
      for (const child of children) child.send({ type: 'go' }); // all four at once
      expect(await Promise.all(exits)).toEqual(Array(WRITERS).fill(0));
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    }

    const final = JSON.parse(execFileSync(process.execPath, [join(project, 'reader.js'), storage], { cwd: project, encoding: 'utf8', timeout: 60_000 })) as { version: number; payload: number; adds: number; brand: boolean };
    expect(final).toEqual({ version: WRITERS * INCREMENTS, payload: WRITERS * INCREMENTS, adds: WRITERS * INCREMENTS, brand: true });

    // The inspector as npm installed it: the bin link in node_modules/.bin, run as an executable (its #! line).
    if (process.platform !== 'win32') {
      const listed = execFileSync(join(project, 'node_modules', '.bin', 'breath-master-store'), ['ls', storage, '--json'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
      const keys = listed.trim().split('\n').map((line) => JSON.parse(line) as { key: string });
      expect(keys.find((k) => k.key === 'count')).toMatchObject({ type: 'key', key: 'count', state: 'ok', version: WRITERS * INCREMENTS });
      expect(keys.find((k) => k.key === 'adds')).toMatchObject({ key: 'adds', convergent: 'counter', value: WRITERS * INCREMENTS });
    }
  });
});
