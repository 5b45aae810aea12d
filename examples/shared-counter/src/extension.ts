// Shared Counter: a status bar counter that every VS Code window shares, and that counts each click exactly once —
// however many windows click at the same moment. The smallest useful extension on @breath-master/store.
import * as vscode from 'vscode';
import { openStore } from '@breath-master/store/vscode';

// VS Code waits for this on shutdown: clicks still being written are finished, not lost.
export { deactivate } from '@breath-master/store/vscode';

const KEY = 'clicks';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Shared Counter', { log: true });
  // One folder for all of the user's windows (context.globalStorageUri), re-read when a window regains focus.
  const store = openStore(context, { log });

  const item = vscode.window.createStatusBarItem('sharedCounter.count', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Shared Counter';
  item.command = 'sharedCounter.count';
  item.tooltip = 'Clicks in all windows. Click to count one.';
  const render = (): void => {
    item.text = `$(add) ${store.get<number>(KEY, 0).payload}`;
  };
  render();
  item.show();

  context.subscriptions.push(
    log,
    item,
    // Every commit, this window's or another's: `get` already returns it.
    store.onDidChange((change) => {
      if (change.key === KEY) render();
    }),
    vscode.commands.registerCommand('sharedCounter.count', async () => {
      try {
        // A compare-and-set: if another window counted first, the updater runs again on its value.
        await store.update<number>(KEY, (clicks) => clicks + 1, 0);
      } catch (error) {
        log.error(String(error));
        void vscode.window.showErrorMessage(`Shared Counter could not count that click: ${String(error)}`);
      }
    }),
  );
}
