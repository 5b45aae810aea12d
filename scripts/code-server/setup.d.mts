// Types of setup.mjs for the TypeScript e2e suite and benchmark.
export declare const CODE_SERVER_VERSION: string;
export declare const NEWEST_CODE_SERVER_VERSION: string;
export declare const VERSIONS: Record<string, { vscode: string; node: string | undefined; ripgrep: { pkg: string; release: string } | undefined }>;
export declare const ALL_VERSIONS: string[];
export declare function cacheDir(version?: string): string;
export declare function codeServerBin(version?: string): string;
export declare function runtimeOf(version?: string): { version: string; vscode: string; entry: string; node: string; env: NodeJS.ProcessEnv };
export declare function ensureCodeServer(version?: string): string;
export declare function versionsFromEnv(value?: string): string[];
export declare function withoutOuterNpm(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
