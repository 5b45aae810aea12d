import type * as vscode from 'vscode';
import { describe, expectTypeOf, it } from 'vitest';
import type { StorageContext } from '../../src';

// Checked by `tsc` (npm test runs the typecheck): the store must accept VS Code's own context object.
describe('StorageContext', () => {
  it('is satisfied by vscode.ExtensionContext (globalState is a Memento returning Thenable)', () => {
    expectTypeOf<vscode.ExtensionContext>().toExtend<StorageContext>();
  });
});
