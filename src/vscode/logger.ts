import * as vscode from 'vscode';

export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** Breath Master's log: a LogOutputChannel, so users pick the level and VS Code adds timestamps. */
export interface Logger extends vscode.Disposable {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
  /** Opens the channel in the Output panel. */
  show(): void;
  /** The shape the store's `log` option expects. */
  readonly sink: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

export function createLogger(name = 'Breath Master'): Logger {
  const channel = vscode.window.createOutputChannel(name, { log: true });
  return {
    trace: (m) => channel.trace(m),
    debug: (m) => channel.debug(m),
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m, error) => channel.error(error === undefined ? m : `${m}: ${describeError(error)}`),
    show: () => channel.show(true),
    sink: (level, message) => channel[level](message),
    dispose: () => channel.dispose(),
  };
}

/** A one-line description of anything thrown, with its cause chain (the store attaches causes to StoreError). */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    parts.push(current instanceof Error ? `${current.name}: ${current.message}` : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(' ← ');
}
