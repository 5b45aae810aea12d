// Types of setup.mjs for the TypeScript e2e suite.
export declare const CODE_SERVER_VERSION: string;
export declare function cacheDir(): string;
export declare function codeServerBin(): string;
export declare function ensureCodeServer(): string;
