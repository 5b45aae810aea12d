// Builds everything `npm test`, `npm start` and other extensions need:
//  - packages/store/dist/  the store package (@breath-master/store): CommonJS + types, by its own build script
//  - dist/extension.js     the extension, one minified bundle with the store in it; `vscode` stays external
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });

execFileSync(process.execPath, [join(root, 'packages/store/scripts/build.mjs')], { cwd: join(root, 'packages/store'), stdio: 'inherit' });

if (existsSync(join(root, 'src/vscode/extension.ts'))) {
  await build({
    entryPoints: ['src/vscode/extension.ts'],
    outfile: 'dist/extension.js',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    logLevel: 'warning',
    absWorkingDir: root,
    external: ['vscode'],
    minify: true,
    // @breath-master/store is bundled from its TypeScript sources (its "breath-master-source" export condition),
    // so the extension never depends on the package having been built first.
    conditions: ['breath-master-source'],
  });
}
