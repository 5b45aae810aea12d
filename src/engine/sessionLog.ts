import { count, HISTORY_LIMIT, normalizeSummary, type HistoryRecord, type SessionSummary } from './progressRecord';
import type { RecordLogEntry } from './recordStore';

/**
 * The session history as a per-writer log (`store.log(SESSIONS_KEY)`): one event per ended session, appended by the
 * window that ended it, never rewritten. Appends from several windows never conflict, and an id appended twice (an
 * end recorded by two windows, a catch-up, an import of the same session) counts once.
 *
 * Events (the `data` of each entry; unknown kinds are ignored, so a later version may add some):
 * - `{kind: 'session', session}`: an ended session. Its event id is the session id — scoped by the clear it follows
 *   (`sessionEventId`), so a session cleared away can be added again (an import of a backup) after the clear.
 * - `{kind: 'clear', at}`: Clear Data. The history is what comes after the last clear in the log's order.
 * - `{kind: 'older', older}`: sessions summarised out of the earlier history record (migrated once, as one event).
 * - `{kind: 'migrated', version}`: the earlier `breathMaster.history` record (at `version`) was copied in.
 */
export const SESSIONS_KEY = 'breathMaster.sessions';
/** The event id marking the migration of the earlier history record as done (appended after its sessions are durable). */
export const MIGRATED_EVENT_ID = 'breathMaster:history-migrated';
/** The event id of the earlier history record's `older` summary (one event: two windows migrating add it once). */
export const OLDER_EVENT_ID = 'breathMaster:history-older';
const CLEAR_EVENT_PREFIX = 'breathMaster:clear:';

export type SessionLogEvent =
  | { readonly kind: 'session'; readonly session: SessionSummary }
  | { readonly kind: 'clear'; readonly at: number }
  | { readonly kind: 'older'; readonly older: HistoryRecord['older'] }
  | { readonly kind: 'migrated'; readonly version: number };

/** The id of a clear event (unique per clear: `newId` gives a fresh id). */
export function clearEventId(id: string): string {
  return `${CLEAR_EVENT_PREFIX}${id}`;
}

/**
 * The event id of an ended session: the session id itself until the first clear; after a clear, the session id
 * prefixed with that clear's event id. Windows that have read the same log give a session the same id (so the log
 * counts it once); a window that had not yet read a clear gives another id, and `readSessionLog` counts the session
 * once anyway (by session id, after the last clear).
 */
export function sessionEventId(sessionId: string, epoch: string | null): string {
  return epoch === null ? sessionId : `${epoch}/${sessionId}`;
}

/** What the engine reads off the log: the history as the views expect it, and what deciding the next appends needs. */
export interface SessionLogView {
  readonly history: HistoryRecord;
  /** The id of the last clear event in the log's order (null before any). */
  readonly epoch: string | null;
  /** When the last clear happened (its window's clock); null before any. */
  readonly clearedAt: number | null;
  /** Ids of the sessions in the history (after the last clear), summarised ones included. */
  readonly sessionIds: ReadonlySet<string>;
  /** The migration of the earlier history record is done (anywhere in the log, before or after a clear). */
  readonly migrated: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The history after the last clear: sessions by session id (the first in the log's order), the newest HISTORY_LIMIT
 * by end time, older ones summarised into `older` together with the migrated summary. O(n log n) in the entries;
 * the engine caches it until the log changes.
 */
export function readSessionLog(entries: readonly RecordLogEntry[]): SessionLogView {
  let start = 0;
  let epoch: string | null = null;
  let clearedAt: number | null = null;
  let migrated = false;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as RecordLogEntry;
    const data = e.data;
    if (!isObject(data)) continue;
    if (data.kind === 'clear') {
      start = i + 1;
      epoch = e.id;
      clearedAt = typeof data.at === 'number' && Number.isFinite(data.at) ? data.at : null;
    } else if (data.kind === 'migrated') {
      migrated = true;
    }
  }
  const byId = new Map<string, SessionSummary>();
  let older = { sessions: 0, activeMs: 0, firstStartedAt: null as number | null };
  for (let i = start; i < entries.length; i++) {
    const data = (entries[i] as RecordLogEntry).data;
    if (!isObject(data)) continue;
    if (data.kind === 'session') {
      const s = normalizeSummary(data.session);
      if (s !== undefined && !byId.has(s.id)) byId.set(s.id, s);
    } else if (data.kind === 'older' && isObject(data.older)) {
      const o = data.older;
      const first = typeof o.firstStartedAt === 'number' && Number.isFinite(o.firstStartedAt) ? o.firstStartedAt : null;
      older = {
        sessions: older.sessions + count(o.sessions),
        activeMs: older.activeMs + count(o.activeMs),
        firstStartedAt: first === null ? older.firstStartedAt : older.firstStartedAt === null ? first : Math.min(older.firstStartedAt, first),
      };
    }
  }
  const sorted = [...byId.values()].sort((a, b) => a.endedAt - b.endedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const cut = Math.max(0, sorted.length - HISTORY_LIMIT);
  let firstDropped: number | null = null;
  let droppedMs = 0;
  for (let i = 0; i < cut; i++) {
    const s = sorted[i] as SessionSummary;
    droppedMs += s.activeMs;
    if (firstDropped === null || s.startedAt < firstDropped) firstDropped = s.startedAt;
  }
  if (cut > 0) {
    older = {
      sessions: older.sessions + cut,
      activeMs: older.activeMs + droppedMs,
      firstStartedAt: older.firstStartedAt === null ? firstDropped : Math.min(older.firstStartedAt, firstDropped ?? older.firstStartedAt),
    };
  }
  return {
    history: { schema: 1, sessions: cut > 0 ? sorted.slice(cut) : sorted, older },
    epoch,
    clearedAt,
    sessionIds: new Set(byId.keys()),
    migrated,
  };
}

export function sessionEvent(session: SessionSummary): SessionLogEvent {
  return { kind: 'session', session };
}
