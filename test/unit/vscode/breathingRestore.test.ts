import { describe, expect, it } from 'vitest';
import pkg from '../../../package.json';
import { BREATHING_VIEW_TYPE, registerWebviews } from '../../../src/vscode/webviews';
import { fakeApi, FakePanel, uri } from './fakeWebviews';

// A breathing view open when the window reloads comes back: VS Code activates the extension for it
// (onWebviewPanel:…) and hands the serializer a bare panel, which must get its options and page again.
const extensionUri = uri('/ext') as unknown as Parameters<typeof registerWebviews>[0]['extensionUri'];

describe('the breathing view after a window reload', () => {
  it('activates for it: the manifest names the panel type the serializer is registered for', () => {
    expect(pkg.activationEvents).toContain(`onWebviewPanel:${BREATHING_VIEW_TYPE}`);
    const { api, serializers } = fakeApi();
    const views = registerWebviews({ vscode: api, extensionUri, history: undefined });
    expect([...serializers.keys()]).toEqual([BREATHING_VIEW_TYPE]);
    views.dispose();
    expect(serializers.size).toBe(0);
  });

  it('a restored panel gets scripts, the media folder as its only resource root, the page, and breathes on "ready"', async () => {
    const { api, serializers, panels: created } = fakeApi();
    const views = registerWebviews({ vscode: api, extensionUri, history: undefined, now: () => 1_000_000 });
    const panel = new FakePanel(BREATHING_VIEW_TYPE);
    await serializers.get(BREATHING_VIEW_TYPE)?.deserializeWebviewPanel(panel, { announce: false });
    expect(created).toHaveLength(0);
    expect(panel.webview.options?.enableScripts).toBe(true);
    expect(panel.webview.options?.localResourceRoots?.map((u) => u.path)).toEqual(['/ext/media/webview']);
    expect(panel.webview.html).toContain('id="orb"');
    expect(panel.webview.html).toContain('breathing.js');
    expect(views.breathing.isOpen).toBe(true);
    panel.webview.fromPage.fire({ type: 'ready' });
    expect(panel.webview.posted.at(-1)).toMatchObject({ type: 'breath', origin: 0, hostNow: 1_000_000 });
    // The command now brings the restored panel forward instead of opening a second one.
    views.breathing.show();
    expect(created).toHaveLength(0);
    expect(panel.revealed).toBe(1);
    // Closed by the user: the command opens a new one.
    panel.dispose();
    expect(views.breathing.isOpen).toBe(false);
    views.breathing.show();
    expect(created).toHaveLength(1);
    views.dispose();
  });

  it('a second restored panel is closed: one breathing view per window', async () => {
    const { api, serializers } = fakeApi();
    const views = registerWebviews({ vscode: api, extensionUri, history: undefined });
    const first = new FakePanel(BREATHING_VIEW_TYPE);
    const second = new FakePanel(BREATHING_VIEW_TYPE);
    await serializers.get(BREATHING_VIEW_TYPE)?.deserializeWebviewPanel(first, undefined);
    await serializers.get(BREATHING_VIEW_TYPE)?.deserializeWebviewPanel(second, undefined);
    expect(second.disposed).toBe(true);
    expect(first.disposed).toBe(false);
    expect(first.revealed).toBe(1);
    views.dispose();
  });

  it('a host without serializers still gets the views', () => {
    const { api, commands } = fakeApi({}, { serializers: false });
    const views = registerWebviews({ vscode: api, extensionUri, history: undefined });
    expect(commands.has('breathMaster.openBreathingView')).toBe(true);
    views.dispose();
  });
});
