import type { Disposable, Event } from './types';

/**
 * A tiny VS Code-style event emitter, so the store can offer `onDidChange` without depending on `vscode`.
 * A listener that throws must not stop the others or reach the code that fired: errors go to `onListenerError`.
 */
export class Emitter<T> {
  private listeners: Array<{ fn: (e: T) => unknown; thisArgs: unknown }> = [];
  private disposed = false;

  constructor(private readonly onListenerError?: (error: unknown) => void) {}

  readonly event: Event<T> = (listener, thisArgs, disposables) => {
    if (this.disposed) return { dispose: () => undefined };
    const entry = { fn: listener, thisArgs };
    this.listeners.push(entry);
    let removed = false;
    const subscription: Disposable = {
      dispose: () => {
        if (removed) return;
        removed = true;
        this.listeners = this.listeners.filter((l) => l !== entry);
      },
    };
    disposables?.push(subscription);
    return subscription;
  };

  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  fire(e: T): void {
    if (this.disposed) return;
    // A snapshot: listeners added or removed while firing take effect from the next event.
    for (const { fn, thisArgs } of [...this.listeners]) {
      try {
        fn.call(thisArgs, e);
      } catch (error) {
        this.onListenerError?.(error);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.listeners = [];
  }
}
