/**
 * The store's schema, as numbered migrations applied by the library and recorded in
 * `<prefix>migrations`. MySQL commits DDL implicitly, so migrations cannot share one
 * transaction: they run on a connection of their own behind `GET_LOCK`, which serialises
 * processes starting together, and every statement is idempotent, so a migration cut off
 * half-way completes on the next start.
 */
import { StoreError } from '@tidings/core';
import type { PoolConnection } from 'mysql2/promise';
import { run } from './connection.ts';
import type { TableNames } from './options.ts';
import { receivedDeadLettersMigration } from './received-dead-letters.ts';

interface Migration {
  readonly version: number;
  readonly statements: (n: TableNames) => readonly string[];
}

// Binary collation: ids, consumers and subjects compare byte for byte, as in the other stores
// (the server default, e.g. utf8mb4_general_ci, would make "A" and "a" one id).
const table = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin ROW_FORMAT=DYNAMIC';

// Times are BIGINT milliseconds from the store's clock, never SQL NOW(): tests inject time.
// Payload and metadata are LONGTEXT holding the JSON text as written (a JSON column would
// reorder keys on MySQL), so an event reads back exactly as it was appended.
// Deliveries carry their own AUTO_INCREMENT `seq`: written in the order of the events, it
// orders each consumer's queue without reading the events' positions back at append time.
const migrations: readonly Migration[] = [
  {
    version: 1,
    statements: (n) => [
      `CREATE TABLE IF NOT EXISTS ${n.events} (
        position BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        id VARCHAR(255) NOT NULL,
        type VARCHAR(255) NOT NULL,
        version INT NOT NULL,
        occurred_ms BIGINT NULL,
        occurred_at VARCHAR(64) NOT NULL,
        subject_type VARCHAR(255) NULL,
        subject_id VARCHAR(255) NULL,
        subject_sequence BIGINT NULL,
        correlation_id VARCHAR(255) NOT NULL,
        causation_id VARCHAR(255) NULL,
        metadata LONGTEXT NOT NULL,
        payload LONGTEXT NOT NULL,
        recorded_at BIGINT NOT NULL,
        UNIQUE KEY events_id (id),
        KEY events_type (type, position),
        KEY events_subject (subject_type, subject_id, position),
        KEY events_correlation (correlation_id, position),
        KEY events_causation (causation_id),
        KEY events_occurred (occurred_ms),
        KEY events_recorded (recorded_at)
      ) ${table}`,
      `CREATE TABLE IF NOT EXISTS ${n.deliveries} (
        seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
        event_id VARCHAR(255) NOT NULL,
        consumer VARCHAR(255) NOT NULL,
        slot INT NOT NULL,
        ordering_key VARCHAR(500) NOT NULL,
        status ENUM('pending', 'done', 'dead') NOT NULL,
        attempts INT NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        lease_owner VARCHAR(255) NULL,
        lease_until BIGINT NULL,
        last_error LONGTEXT NULL,
        history LONGTEXT NOT NULL,
        finished_at BIGINT NULL,
        UNIQUE KEY deliveries_ref (event_id, consumer),
        KEY deliveries_queue (consumer, status, ordering_key, seq),
        KEY deliveries_pending (consumer, status, seq),
        KEY deliveries_finished (status, finished_at, seq),
        CONSTRAINT ${n.prefix}deliveries_event FOREIGN KEY (event_id) REFERENCES ${n.events} (id) ON DELETE CASCADE
      ) ${table}`,
      `CREATE TABLE IF NOT EXISTS ${n.inbox} (
        handler VARCHAR(255) NOT NULL,
        event_id VARCHAR(255) NOT NULL,
        processed_at BIGINT NOT NULL,
        PRIMARY KEY (handler, event_id)
      ) ${table}`,
    ],
  },
  {
    // The consumer's dead letters, kept whole for the CLI, the inspector and redrive.
    version: 2,
    statements: (n) => receivedDeadLettersMigration(n, table),
  },
];

/** The newest schema version this code knows. */
export const schemaVersion = migrations.length;

const lockTimeoutSeconds = 60;

async function appliedVersions(connection: PoolConnection, names: TableNames): Promise<Set<number>> {
  const exists = await run<unknown[]>(
    connection,
    `SELECT 1 FROM information_schema.tables WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ?`,
    [names.databaseName ?? null, `${names.prefix}migrations`],
  );
  if (exists.length === 0) return new Set();
  const rows = await run<{ version: number }[]>(connection, `SELECT version FROM ${names.migrations}`);
  return new Set(rows.map((row) => Number(row.version)));
}

function tablesLabel(names: TableNames): string {
  return `${names.databaseName === undefined ? '' : `${names.databaseName}.`}${names.prefix}*`;
}

/**
 * Brings the schema up to date (or, with `apply` false, only checks it is); safe to call
 * from many processes at once. Returns the versions it applied.
 */
export async function migrate(
  connection: PoolConnection,
  names: TableNames,
  now: number,
  apply: boolean,
): Promise<number[]> {
  let done = await appliedVersions(connection, names);
  const newest = Math.max(0, ...done);
  if (newest > schemaVersion) {
    throw new StoreError(
      `The outbox tables ${tablesLabel(names)} are at schema version ${newest}, newer than this ` +
        `@tidings/mysql knows (${schemaVersion}). Upgrade @tidings/mysql, or use another tablePrefix.`,
      { details: { version: newest, known: schemaVersion } },
    );
  }
  const missing = migrations.filter((m) => !done.has(m.version));
  if (missing.length === 0) return [];
  if (!apply) {
    throw new StoreError(
      `The outbox tables ${tablesLabel(names)} are at schema version ${newest}, older than this ` +
        `@tidings/mysql needs (${schemaVersion}). Run \`await store.migrate()\` once (as a user allowed to ` +
        'CREATE and ALTER tables), or create the store with autoMigrate: true.',
      { details: { version: newest, needed: schemaVersion } },
    );
  }
  const [{ current_db: current }] = await run<[{ current_db: string | null }]>(
    connection,
    'SELECT DATABASE() AS current_db',
  );
  const lock = names.lockName(current ?? '');
  const [{ got_lock: locked }] = await run<[{ got_lock: number | null }]>(
    connection,
    'SELECT GET_LOCK(?, ?) AS got_lock',
    [lock, lockTimeoutSeconds],
  );
  if (Number(locked) !== 1) {
    throw new StoreError(
      `Timed out after ${lockTimeoutSeconds} s waiting for the migration lock ${lock} of ${tablesLabel(names)}; ` +
        'another process is migrating them or holds the lock. Retry, or look for a stuck session holding it.',
    );
  }
  try {
    await run(
      connection,
      `CREATE TABLE IF NOT EXISTS ${names.migrations} (version INT NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL) ${table}`,
    );
    // Re-read under the lock: another process may have migrated while we waited.
    done = await appliedVersions(connection, names);
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements(names)) await run(connection, statement);
      await run(connection, `INSERT INTO ${names.migrations} (version, applied_at) VALUES (?, ?)`, [
        migration.version,
        now,
      ]);
      applied.push(migration.version);
    }
    return applied;
  } finally {
    await run(connection, 'DO RELEASE_LOCK(?)', [lock]);
  }
}
