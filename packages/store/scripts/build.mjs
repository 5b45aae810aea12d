// Builds what the package ships: dist/index.js (the store as one CommonJS file, not minified, with its source map),
// dist/vscode.js (its VS Code entry point), dist/cli.js (the inspector, `npx @breath-master/store`) and the store's
// type declarations (dist/*.d.ts; the inspector has no API, so none for it). Uses the workspace's esbuild and
// TypeScript.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(pkg, 'dist'), { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: false,
  logLevel: 'warning',
  absWorkingDir: pkg,
};
await build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js' });
// The VS Code entry point loads `vscode` from the extension host and the store from dist/index.js, so an extension
// that uses both has one copy of the store.
await build({
  ...common,
  entryPoints: ['src/vscode.ts'],
  outfile: 'dist/vscode.js',
  external: ['vscode'],
  plugins: [{ name: 'the-store-from-index', setup: (b) => b.onResolve({ filter: /^\.\/storageWrapper$/ }, () => ({ path: './index.js', external: true })) }],
});
// The entry's `#!/usr/bin/env node` line is kept by esbuild; npm makes the bin executable when it installs it.
await build({ ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js' });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: pkg, stdio: 'inherit' });
