/**
 * Table names and versioned migrations. Migrations run on open, each in its own write
 * transaction, and are recorded in `<prefix>migrations`, so reopening (from any number of
 * processes) is idempotent and a newer library can add versions later.
 */
import { ConfigurationError } from '@tidings/core';
import type Database from 'better-sqlite3';

export interface Tables {
  readonly migrations: string;
  readonly events: string;
  readonly deliveries: string;
  readonly inbox: string;
  readonly receivedDeadLetters: string;
}

export function tableNames(prefix: string): Tables {
  return {
    migrations: `${prefix}migrations`,
    events: `${prefix}events`,
    deliveries: `${prefix}deliveries`,
    inbox: `${prefix}inbox`,
    receivedDeadLetters: `${prefix}received_dead_letters`,
  };
}

interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: (t: Tables) => string;
}

const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'events, deliveries and inbox',
    sql: (t) => `
      CREATE TABLE IF NOT EXISTS ${t.events} (
        -- AUTOINCREMENT: positions are never reused, even after prune deletes the newest rows.
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        version INTEGER NOT NULL,
        occurred_at TEXT NOT NULL,
        subject_type TEXT,
        subject_id TEXT,
        sequence INTEGER,
        correlation_id TEXT NOT NULL,
        causation_id TEXT,
        metadata TEXT NOT NULL,
        payload TEXT NOT NULL,
        recorded_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS ${t.events}_type ON ${t.events} (type, position);
      CREATE INDEX IF NOT EXISTS ${t.events}_subject ON ${t.events} (subject_type, subject_id, position);
      CREATE INDEX IF NOT EXISTS ${t.events}_correlation ON ${t.events} (correlation_id, position);
      CREATE INDEX IF NOT EXISTS ${t.events}_causation ON ${t.events} (causation_id) WHERE causation_id IS NOT NULL;
      CREATE INDEX IF NOT EXISTS ${t.events}_occurred ON ${t.events} (occurred_at);
      CREATE INDEX IF NOT EXISTS ${t.events}_recorded ON ${t.events} (recorded_at);

      CREATE TABLE IF NOT EXISTS ${t.deliveries} (
        event_id TEXT NOT NULL REFERENCES ${t.events} (id) ON DELETE CASCADE,
        consumer TEXT NOT NULL,
        position INTEGER NOT NULL,
        ordering_key TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        lease_owner TEXT,
        lease_until INTEGER,
        last_error TEXT,
        history TEXT NOT NULL DEFAULT '[]',
        finished_at INTEGER,
        PRIMARY KEY (event_id, consumer)
      );
      -- Claims: the head of each (consumer, ordering key) queue, and scans in position order.
      CREATE INDEX IF NOT EXISTS ${t.deliveries}_queue
        ON ${t.deliveries} (consumer, ordering_key, position) WHERE status = 'pending';
      CREATE INDEX IF NOT EXISTS ${t.deliveries}_pending
        ON ${t.deliveries} (position) WHERE status = 'pending';
      CREATE INDEX IF NOT EXISTS ${t.deliveries}_due
        ON ${t.deliveries} (next_attempt_at) WHERE status = 'pending';
      CREATE INDEX IF NOT EXISTS ${t.deliveries}_dead
        ON ${t.deliveries} (consumer, finished_at) WHERE status = 'dead';

      CREATE TABLE IF NOT EXISTS ${t.inbox} (
        handler TEXT NOT NULL,
        event_id TEXT NOT NULL,
        processed_at INTEGER NOT NULL,
        PRIMARY KEY (handler, event_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'inbox retention index',
    // pruneInbox deletes by age; without this it would scan the whole inbox every time.
    sql: (t) => `CREATE INDEX IF NOT EXISTS ${t.inbox}_processed ON ${t.inbox} (processed_at);`,
  },
  {
    version: 3,
    name: 'received dead letters',
    // The consumer's dead letters, kept whole (headers JSON, body bytes) for the CLI,
    // the inspector and redrive. Times are ms; the id is stable per (handler, message id).
    sql: (t) => `
      CREATE TABLE IF NOT EXISTS ${t.receivedDeadLetters} (
        id TEXT PRIMARY KEY,
        handler TEXT NOT NULL,
        group_name TEXT NOT NULL,
        message_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        message_key TEXT NOT NULL,
        reason TEXT NOT NULL,
        code TEXT,
        attempts INTEGER NOT NULL,
        first_failed_at INTEGER NOT NULL,
        last_failed_at INTEGER NOT NULL,
        headers TEXT NOT NULL,
        body BLOB NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('dead', 'redrive-requested', 'redriven')),
        recorded_at INTEGER NOT NULL,
        redrive_requested_at INTEGER,
        redriven_at INTEGER,
        UNIQUE (handler, message_id)
      );
      CREATE INDEX IF NOT EXISTS ${t.receivedDeadLetters}_failed ON ${t.receivedDeadLetters} (last_failed_at);
      CREATE INDEX IF NOT EXISTS ${t.receivedDeadLetters}_requested
        ON ${t.receivedDeadLetters} (redrive_requested_at) WHERE status = 'redrive-requested';
    `,
  },
];

/** The schema version this library writes. */
export const schemaVersion = migrations.length;

function appliedVersion(db: Database.Database, t: Tables): number {
  const exists = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
    .get(t.migrations);
  if (!exists) return 0;
  const row = db.prepare(`SELECT max(version) AS v FROM ${t.migrations}`).get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Brings the schema up to date. Reads first without locking, so opening an up-to-date
 * database never waits for another connection's write transaction.
 */
export function migrate(db: Database.Database, t: Tables, now: number): void {
  const current = appliedVersion(db, t);
  if (current > schemaVersion) {
    throw new ConfigurationError(
      `Tables with prefix "${t.events.slice(0, -'events'.length)}" are at schema version ${current}, ` +
        `newer than this @tidings/sqlite knows (${schemaVersion}). Upgrade @tidings/sqlite or use another tablePrefix.`,
      { details: { version: current, known: schemaVersion } },
    );
  }
  if (current === schemaVersion) return;
  for (const migration of migrations) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(
        `CREATE TABLE IF NOT EXISTS ${t.migrations} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
      );
      // Re-read under the write lock: another process may have migrated while we waited.
      if (appliedVersion(db, t) < migration.version) {
        db.exec(migration.sql(t));
        db.prepare(`INSERT INTO ${t.migrations} (version, name, applied_at) VALUES (?, ?, ?)`).run(
          migration.version,
          migration.name,
          now,
        );
      }
      db.exec('COMMIT');
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }
}
