// Types of launch.mjs for the TypeScript e2e suite.
export interface Sandbox {
  root: string;
  userDataDir: string;
  extensionsDir: string;
  codeServer: string;
  /** The code-server version, the Node that runs it and the environment to run it in. */
  version: string;
  node: string;
  env: NodeJS.ProcessEnv;
}
export interface RunningServer {
  port: number;
  url: string;
  folderUrl: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}
export declare const CHROMIUM: string;
export declare const CHROMIUM_ARGS: string[];
export declare const BASE_SETTINGS: Record<string, unknown>;
export declare function freePort(): Promise<number>;
export declare function writeUserSettings(file: string, settings: Record<string, unknown>, options?: { keep?: boolean }): 'written' | 'merged' | 'unchanged' | 'unreadable';
export declare function createSandbox(options?: { root?: string; settings?: Record<string, unknown>; keepUserSettings?: boolean; vsix?: string[]; version?: string }): Promise<Sandbox>;
export declare function installExtension(sandbox: Sandbox, vsix: string): Promise<void>;
export declare function startServer(sandbox: Sandbox, options: { port?: number; folder: string; log?: string }): Promise<RunningServer>;
export declare function removeSandbox(sandbox: Sandbox): void;
