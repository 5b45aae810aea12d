import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pkg from '../../../package.json';
import nls from '../../../package.nls.json';
import bundle from '../../../l10n/bundle.l10n.json';
import { IMPORT_ERRORS } from '../../../src/engine/exchange';

const root = join(__dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'webviews' ? [] : sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** The string literals passed to `vscode.l10n.t` in the adapter. */
function messages(): string[] {
  const found: string[] = [];
  const call = /l10n\.t\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/g;
  for (const file of sources(join(root, 'src/vscode'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(call)) found.push((m[1] ?? m[2] ?? '').replace(/\\(['"\\])/g, '$1'));
  }
  return found;
}

describe('localisation', () => {
  it('every message the adapter translates is in l10n/bundle.l10n.json (the file translators start from)', () => {
    const list = messages();
    expect(list.length).toBeGreaterThan(80);
    const missing = [...list, ...Object.values(IMPORT_ERRORS)].filter((m) => !(m in bundle));
    expect(missing).toEqual([]);
  });

  it('every %key% of the manifest is in package.nls.json, and the manifest points to the bundle', () => {
    const keys = [...JSON.stringify(pkg.contributes).matchAll(/"%([^%"]+)%"/g)].map((m) => m[1] ?? '');
    expect(keys.length).toBeGreaterThan(40);
    expect(keys.filter((k) => !(k in nls))).toEqual([]);
    expect((pkg as { l10n?: string }).l10n).toBe('./l10n');
  });
});
