// Builds what the package ships: dist/index.js (the store as one CommonJS file, not minified, with its source map)
// and the type declarations beside it (dist/*.d.ts). Uses the workspace's esbuild and TypeScript.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(pkg, 'dist'), { recursive: true, force: true });

// The VS Code entry point (dist/vscode.js) loads `vscode` from the extension host and the store from dist/index.js,
// so an extension that uses both has one copy of the store.
await build({
  entryPoints: ['src/vscode.ts'],
  outfile: 'dist/vscode.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: false,
  logLevel: 'warning',
  absWorkingDir: pkg,
  external: ['vscode'],
  plugins: [{ name: 'the-store-from-index', setup: (b) => b.onResolve({ filter: /^\.\/storageWrapper$/ }, () => ({ path: './index.js', external: true })) }],
});

await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: false,
  logLevel: 'warning',
  absWorkingDir: pkg,
});

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: pkg, stdio: 'inherit' });
