// Show Storage Health opened the counters as Markdown source (pipes and all) in an editor. Now: a rendered page
// that follows the store while it is open — and does nothing at all while the store is quiet.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fake } from './fake-vscode';
import { StorageHealthView } from '../../../src/vscode/storageHealth';
import type { StoreMetrics } from '@breath-master/store';

const metrics = (commits: number): StoreMetrics => ({
  commits, conflicts: 0, retries: 0, conflictErrors: 0, corruptRecords: 0, remoteChanges: 2,
  feedLatencyMs: { p50: 12.34, p99: 40, count: 2 },
  feedLatencyHistogram: [{ upToMs: 1, count: 0 }, { upToMs: 5, count: 0 }, { upToMs: 20, count: 1 }, { upToMs: 100, count: 1 }, { upToMs: 500, count: 0 }, { upToMs: 2000, count: 0 }, { upToMs: null, count: 3 }],
  remoteChangesFoundBy: { event: 1, poll: 4, refresh: 0, update: 0 },
  collections: 2, folds: 1, foldedWriters: 3, watchMode: 'events',
});

describe('Show Storage Health', () => {
  let current: StoreMetrics | undefined;
  let problem: string | undefined;
  let view: StorageHealthView;
  beforeEach(() => {
    fake.reset();
    vi.useFakeTimers();
    current = metrics(3);
    problem = undefined;
    view = new StorageHealthView(() => ({ metrics: current, storagePath: '/home/u/.config/Code/globalStorage/bm', problem }));
  });
  afterEach(() => {
    view.dispose();
    vi.useRealTimers();
  });
  const panel = () => fake.webviews.at(-1);
  const posted = () => (panel()?.webview.posted ?? []) as { type: string; rows: [string, string][] | null; problem: string | null }[];
  const value = (rows: [string, string][] | null | undefined, name: string) => rows?.find(([n]) => n === name)?.[1];

  it('is a rendered page (a table in the theme), not Markdown source in an editor', async () => {
    view.show();
    expect(fake.documents).toHaveLength(0);
    expect(panel()?.viewType).toBe('breathMaster.storageHealth');
    const html = panel()?.webview.html ?? '';
    expect(html).toContain('<th scope="row">commits (this window)</th><td>3</td>');
    expect(html).toContain('<th scope="row">change-feed latency p50</th><td>12.3 ms</td>');
    expect(html).toContain('<td>≤20 ms: 1 · ≤100 ms: 1 · &gt;2000 ms: 3</td>');
    expect(html).toContain('<th scope="row">changes found by polling (no file event)</th><td>4</td>');
    expect(html).toContain('<th scope="row">conflicts per 100 commits</th><td>0.0</td>');
    expect(html).toContain('<td>1 (3 windows)</td>');
    expect(html).toContain('/home/u/.config/Code/globalStorage/bm');
    expect(html).not.toMatch(/\| *---|^\| /m);
    expect(html).toContain('var(--vscode-font-family)');
    // A strict CSP: nothing but this page's own nonce'd style and script.
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    // Opening it again shows the same panel.
    view.show();
    expect(fake.webviews).toHaveLength(1);
    expect(panel()?.revealed).toBe(1);
  });

  it('follows the store live while open: one update per burst of changes, and no timer while nothing changes', async () => {
    view.storeChanged(); // not open: nothing to follow
    expect(vi.getTimerCount()).toBe(0);
    view.show();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(posted()).toHaveLength(0); // idle is idle

    current = metrics(4);
    view.storeChanged();
    current = metrics(5);
    view.storeChanged();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1_000);
    expect(posted()).toHaveLength(1);
    expect(value(posted()[0]?.rows, 'commits (this window)')).toBe('5');
    expect(vi.getTimerCount()).toBe(0);

    // A change that alters no counter posts nothing.
    view.storeChanged();
    vi.advanceTimersByTime(1_000);
    expect(posted()).toHaveLength(1);

    // Hidden: no timer at all; shown again, the page (reloaded from its first HTML) gets the counters at once.
    panel()?.setVisible(false);
    current = metrics(9);
    view.storeChanged();
    expect(vi.getTimerCount()).toBe(0);
    panel()?.setVisible(true);
    expect(value(posted().at(-1)?.rows, 'commits (this window)')).toBe('9');

    // Closed: the store's changes cost nothing.
    panel()?.dispose();
    view.storeChanged();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('without a running store it says so, and a problem is shown', async () => {
    current = undefined;
    problem = 'the folder is read-only';
    view.show();
    const html = panel()?.webview.html ?? '';
    expect(html).toMatch(/<p id="none">The store is not running in this window/);
    expect(html).toContain('<span id="problem-text">the folder is read-only</span>');
    expect(html).toMatch(/<table id="counters" hidden>/);
  });
});
