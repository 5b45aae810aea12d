// Builds everything `npm test`, `npm start` and other extensions need:
//  - dist/store/index.js   the store as plain CommonJS (exports["./store"]), with .d.ts beside it
//  - dist/extension.js     the extension, one minified bundle; `vscode` stays external
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning', absWorkingDir: root };

await build({ ...common, entryPoints: ['src/store/index.ts'], outfile: 'dist/store/index.js', minify: false });

if (existsSync(join(root, 'src/vscode/extension.ts'))) {
  await build({ ...common, entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], minify: true });
}

execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.store.json'], { cwd: root, stdio: 'inherit' });
