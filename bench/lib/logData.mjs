// What the log suite appends and stores: session summaries shaped like the extension's `SessionSummary`
// (src/engine/progressRecord.ts: a UUID id, start and end timestamps, small numbers), and SQLite as the yardstick
// for durable appends — configured as the contention suite configures it (WAL, synchronous=FULL, a transaction per
// write), one row per event.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');

/** A session summary as the extension records one when a session ends; `i` spreads the start times. */
export function sessionSummary(i, base = Date.UTC(2026, 0, 1)) {
  const goalMinutes = [5, 10, 15, 20][i % 4];
  const startedAt = base + i * 3_600_000 + ((i * 7919) % 600_000);
  const activeMs = goalMinutes * 60_000 - ((i * 104_729) % 90_000);
  return {
    id: randomUUID(),
    startedAt,
    endedAt: startedAt + activeMs + ((i * 31) % 5_000),
    goalMinutes,
    activeMs,
    cycles: Math.floor(activeMs / 12_000),
    bonusXp: [0, 5, 10][i % 3],
  };
}

/**
 * One table of events; `append` is one durable transaction (BEGIN IMMEDIATE, INSERT, COMMIT — the WAL fsync'd at
 * the commit), waiting for other processes' write lock inside the call (busy timeout 60 s), as in the contention suite.
 */
export function sqliteLog(file) {
  const db = new Database(file, { timeout: 60_000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, writer TEXT NOT NULL, data TEXT NOT NULL)');
  const begin = db.prepare('BEGIN IMMEDIATE');
  const insert = db.prepare('INSERT INTO events (id, writer, data) VALUES (?, ?, ?)');
  const commit = db.prepare('COMMIT');
  return {
    append(id, writer, data) {
      begin.run();
      try {
        insert.run(id, writer, JSON.stringify(data));
        commit.run();
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    },
    /** Every id with how many rows hold it. */
    idCounts: () => db.prepare('SELECT id, COUNT(*) AS n FROM events GROUP BY id').all(),
    close: () => db.close(),
  };
}
