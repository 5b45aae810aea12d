import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode, isTempName, listFolder, listFolderSync, makePrivateFolderSync, readIfExists, unlinkIfExistsSync } from './files';
import type { WatchMode } from './types';

/** What a feed file says: key `key` reached `version`, committed by `clientId`. */
export interface FeedEntry {
  key: string;
  version: number;
  clientId: string;
}

export interface ChangeFeedOptions {
  folder: string;
  mode: WatchMode;
  pollIntervalMs: number;
  /**
   * Called for every feed file that changed. The store may know the key from the file name and look at the
   * key's folder directly; `readEntry` reads the feed file itself when it does not.
   */
  onChange: (fileName: string, readEntry: () => Promise<FeedEntry | undefined>) => Promise<void>;
  log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

/** In 'auto' mode, an own publish not echoed by a file event within this long means events do not arrive here. */
const echoTimeoutMs = 1000;
/** Event mode also polls slowly, in case an event is dropped. */
const safetyPollMs = 2000;
/** Feed temp files this old belong to a dead writer. */
const staleTempMs = 60_000;

/**
 * The change feed (docs/design.md, "The change feed"): one small file per key in the feed folder, replaced by
 * rename on every commit, so a change to one key is never hidden by a later change to another. Readers learn of
 * replacements by directory events or, where those do not arrive, by polling.
 */
export class ChangeFeed {
  private watcher: fs.FSWatcher | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private echoTimer: NodeJS.Timeout | undefined;
  private expectedEcho: string | undefined;
  /** File events seen since the current echo was awaited: any event at all shows that events arrive here. */
  private eventsSinceArmed = 0;
  private currentMode: 'events' | 'poll';
  /** Identity of each feed file when last looked at, so polling reads only replaced ones. */
  private readonly seen = new Map<string, string>();
  private readonly handling = new Set<string>();
  private readonly again = new Set<string>();
  private polling = false;
  private disposed = false;

  constructor(private readonly options: ChangeFeedOptions) {
    for (const name of listFolderSync(options.folder)) {
      if (isTempName(name)) continue;
      try {
        this.seen.set(name, identity(fs.lstatSync(join(options.folder, name))));
      } catch {
        // Replaced while we looked; the next poll reads it.
      }
    }
    this.currentMode = options.mode === 'poll' ? 'poll' : 'events';
    if (this.currentMode === 'events' && !this.startWatching()) this.currentMode = 'poll';
    this.schedulePoll();
  }

  get mode(): 'events' | 'poll' {
    return this.currentMode;
  }

  /**
   * Replaces the feed file of a key with `file` by rename: atomic, under a name unique to this commit, and
   * watchers of the feed folder see one event per commit. The store passes the temp name of the record it just
   * linked (same file system), so a commit costs one rename here — no extra file is created or removed — and
   * the feed file is that record: `{key, version, clientId, …}`. A failed rename removes `file`.
   */
  publish(fileName: string, file: string): void {
    const target = join(this.options.folder, fileName);
    try {
      try {
        fs.renameSync(file, target);
      } catch (error) {
        // The feed folder was removed behind our back: make it again, once.
        if (errorCode(error) !== 'ENOENT') throw error;
        makePrivateFolderSync(this.options.folder);
        fs.renameSync(file, target);
      }
    } catch (error) {
      unlinkIfExistsSync(file);
      throw error;
    }
    this.expectEcho(fileName);
  }

  dispose(): void {
    this.disposed = true;
    this.watcher?.close();
    this.watcher = undefined;
    clearTimeout(this.pollTimer);
    clearTimeout(this.echoTimer);
  }

  private startWatching(): boolean {
    try {
      const watcher = fs.watch(this.options.folder, { persistent: false }, (_event, name) => {
        this.eventsSinceArmed++;
        if (this.expectedEcho !== undefined) this.echoArrived();
        if (typeof name !== 'string' || isTempName(name)) return;
        void this.handle(name);
      });
      watcher.on('error', (error) => {
        this.options.log('warn', `change feed: watching failed (${String(error)}); polling instead`);
        this.switchToPolling();
      });
      this.watcher = watcher;
      return true;
    } catch (error) {
      this.options.log('warn', `change feed: cannot watch ${this.options.folder} (${String(error)}); polling instead`);
      return false;
    }
  }

  private expectEcho(fileName: string): void {
    if (this.options.mode !== 'auto' || this.currentMode !== 'events' || this.expectedEcho !== undefined) return;
    this.expectedEcho = fileName;
    this.eventsSinceArmed = 0;
    this.armEchoTimer(0);
  }

  /**
   * A busy machine can delay an event past the timeout without events being broken: when this process itself
   * was running late (the timer fired well after it was due), wait again instead of concluding.
   */
  private armEchoTimer(lateRounds: number): void {
    const armedAt = Date.now();
    this.echoTimer = setTimeout(() => {
      if (this.expectedEcho === undefined || this.disposed) return;
      const late = Date.now() - armedAt > echoTimeoutMs * 1.5;
      if (this.eventsSinceArmed > 0) {
        this.echoArrived();
      } else if (late && lateRounds < 5) {
        this.armEchoTimer(lateRounds + 1);
      } else {
        this.expectedEcho = undefined;
        this.options.log('info', `change feed: file events did not arrive within ${echoTimeoutMs} ms; polling every ${this.options.pollIntervalMs} ms`);
        this.switchToPolling();
      }
    }, echoTimeoutMs);
    this.echoTimer.unref();
  }

  private echoArrived(): void {
    this.expectedEcho = undefined;
    clearTimeout(this.echoTimer);
  }

  private switchToPolling(): void {
    if (this.disposed || this.currentMode === 'poll') return;
    this.currentMode = 'poll';
    this.watcher?.close();
    this.watcher = undefined;
    clearTimeout(this.pollTimer);
    this.schedulePoll();
  }

  private schedulePoll(): void {
    if (this.disposed) return;
    const delay = this.currentMode === 'poll' ? this.options.pollIntervalMs : safetyPollMs;
    this.pollTimer = setTimeout(() => {
      void this.poll().finally(() => this.schedulePoll());
    }, delay);
    this.pollTimer.unref();
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const names = await listFolder(this.options.folder);
      const staleTemp = Date.now() - staleTempMs;
      await Promise.all(
        names.map(async (name) => {
          const stat = await fsp.lstat(join(this.options.folder, name)).catch(() => undefined);
          if (isTempName(name)) {
            // Left by a writer killed between writing and renaming its feed file.
            if (stat !== undefined && stat.mtimeMs < staleTemp) await fsp.unlink(join(this.options.folder, name)).catch(() => undefined);
            return;
          }
          if (stat === undefined) return;
          const id = identity(stat);
          if (this.seen.get(name) === id) return;
          this.seen.set(name, id);
          await this.handle(name);
        }),
      );
    } catch (error) {
      this.options.log('warn', `change feed: polling failed: ${String(error)}`);
    } finally {
      this.polling = false;
    }
  }

  /** Reads one feed file and reports it; events for a file being handled are folded into one more pass. */
  private async handle(name: string): Promise<void> {
    if (this.disposed) return;
    if (this.handling.has(name)) {
      this.again.add(name);
      return;
    }
    this.handling.add(name);
    try {
      do {
        this.again.delete(name);
        await this.options.onChange(name, () => this.readEntry(name));
      } while (this.again.has(name) && !this.disposed);
    } catch (error) {
      this.options.log('warn', `change feed: reading ${name} failed: ${String(error)}`);
    } finally {
      this.handling.delete(name);
    }
  }

  private async readEntry(name: string): Promise<FeedEntry | undefined> {
    const bytes = await readIfExists(join(this.options.folder, name)).catch((error: unknown) => {
      if (errorCode(error) !== 'ELOOP') throw error;
      return undefined;
    });
    return bytes && parseEntry(bytes);
  }
}

function identity(stat: fs.Stats): string {
  return `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
}

function parseEntry(bytes: Buffer): FeedEntry | undefined {
  try {
    const e = JSON.parse(bytes.toString('utf8')) as Partial<FeedEntry>;
    if (typeof e.key === 'string' && typeof e.version === 'number' && Number.isSafeInteger(e.version) && typeof e.clientId === 'string') {
      return { key: e.key, version: e.version, clientId: e.clientId };
    }
  } catch {
    // A feed file is only a hint; an unreadable one is ignored (the records are the truth).
  }
  return undefined;
}
