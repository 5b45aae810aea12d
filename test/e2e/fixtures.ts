/**
 * Fixture extensions, built at test time: their TypeScript (which may import the store from src/) is bundled with
 * esbuild and packaged with vsce, then installed like any VSIX (`code-server --install-extension`).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = process.cwd();
const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');

/** The temp folders this process made (bm-fixture-*, bm-vsix-*): `removeFixtureDirs` removes them. */
const made: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every VSIX and staging folder made so far (call once a file's tests are done: afterAll). */
export function removeFixtureDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
// A file stopped half-way (a timeout, Ctrl-C) leaves none behind either.
process.once('exit', removeFixtureDirs);

/** Packages test/e2e/fixtures/<name> into a VSIX; `manifest` overrides fields of its package.json. */
export function packageFixture(name: string, manifest: Record<string, unknown> = {}): Promise<string> {
  const source = join(root, 'test', 'e2e', 'fixtures', name);
  return packageExtension(name, source, join(source, 'extension.ts'), manifest);
}

/** Packages examples/<name> (its src/extension.ts, package.json and README) into a VSIX, as its author would. */
export function packageExample(name: string): Promise<string> {
  const source = join(root, 'examples', name);
  return packageExtension(name, source, join(source, 'src', 'extension.ts'), { main: './extension.js', scripts: undefined, dependencies: undefined, devDependencies: undefined });
}

async function packageExtension(name: string, source: string, entry: string, manifest: Record<string, unknown>): Promise<string> {
  const stage = tempDir(`bm-fixture-${name}-`);
  await build({
    entryPoints: [entry],
    outfile: join(stage, 'extension.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    // Minified like the real extension: nothing may depend on class or function names.
    minify: true,
    logLevel: 'warning',
    // @breath-master/store from its sources, as the extension's own build bundles it.
    conditions: ['breath-master-source'],
  });
  const pkg = { ...(JSON.parse((await import('node:fs')).readFileSync(join(source, 'package.json'), 'utf8')) as object), ...manifest };
  writeFileSync(join(stage, 'package.json'), JSON.stringify(pkg, null, 2));
  copyFileSync(join(source, 'README.md'), join(stage, 'README.md'));
  const out = join(stage, `${name}.vsix`);
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--out', out], {
    cwd: stage,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return out;
}

/**
 * The extension's own VSIX (`npm run package`; built when missing or when E2E_REBUILD_VSIX=1; or E2E_VSIX), copied to a private
 * folder: `npm run build` empties dist/, and other work on this checkout may build while the suite runs.
 */
export function breathMasterVsix(): string {
  // E2E_VSIX runs the suite on another package (e.g. a deliberately broken one, to see a test fail).
  const built = process.env.E2E_VSIX ?? join(root, 'dist', 'breath-master.vsix');
  const copy = join(tempDir('bm-vsix-'), 'breath-master.vsix');
  for (let attempt = 0; attempt < 3; attempt++) {
    if (!existsSync(built) || process.env.E2E_REBUILD_VSIX === '1') {
      execFileSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    }
    try {
      copyFileSync(built, copy);
      return copy;
    } catch {
      // dist/ was emptied between packaging and copying: package again
    }
  }
  throw new Error(`npm run package did not produce ${built}`);
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
