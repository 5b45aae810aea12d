// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const storeInternals = { group: ['**/packages/store', '**/packages/store/**', '@breath-master/store/*', '!@breath-master/store/vscode'], message: 'Import @breath-master/store by its name (its public API), not a path inside the package.' };

export default tseslint.config(
  { ignores: ['dist/**', 'packages/*/dist/**', 'node_modules/**', '.cache/**', 'coverage/**', 'test-results/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly',
        setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', URL: 'readonly',
        __dirname: 'readonly', require: 'readonly', module: 'writable', performance: 'readonly',
        setImmediate: 'readonly', queueMicrotask: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // The store is a package of its own: everything else uses it by name (@breath-master/store), never a path inside it.
    files: ['**/*.{ts,mts,mjs,cjs,js}'],
    ignores: ['packages/store/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [storeInternals] }],
    },
  },
  {
    // The store must never see VS Code: it runs in plain Node and in other extensions. Only its VS Code entry point
    // (`@breath-master/store/vscode`, a file of its own that nothing else in the store imports) may.
    files: ['packages/store/src/**/*.ts'],
    ignores: ['packages/store/src/vscode.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'The store is plain Node: no vscode.' }] }],
    },
  },
  {
    // The engine is pure domain logic over the store's API and an injected clock.
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['vscode', 'fs', 'node:fs', 'fs/promises', 'node:fs/promises'].map((name) => ({ name, message: 'The engine is pure: no vscode, no fs.' })),
        patterns: [storeInternals],
      }],
    },
  },
);
