/**
 * The store's schema, as numbered migrations applied by the library. Each runs once per
 * schema and prefix, recorded in `<prefix>migrations`; all of them run in one transaction
 * behind an advisory lock, so processes starting together neither race nor half-apply.
 */
import type { Pool } from 'pg';
import { checkOut } from './checkout.ts';
import { claimableQueuesFunction } from './claim.ts';
import type { TableNames } from './options.ts';
import { receivedDeadLettersMigration } from './received-dead-letters.ts';

interface Migration {
  readonly version: number;
  readonly statements: (n: TableNames) => readonly string[];
}

// Times are BIGINT milliseconds from the store's clock, never SQL now(): tests inject time.
// Payload and metadata are JSON, not JSONB: JSON keeps the text as written (key order,
// "\u0000" escapes), so an event reads back exactly as it was appended.
const migrations: readonly Migration[] = [
  {
    version: 1,
    statements: (n) => [
      `CREATE TABLE ${n.events} (
        position BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        version INTEGER NOT NULL,
        occurred_at TIMESTAMPTZ,
        occurred_at_text TEXT NOT NULL,
        subject_type TEXT,
        subject_id TEXT,
        subject_sequence BIGINT,
        correlation_id TEXT NOT NULL,
        causation_id TEXT,
        metadata JSON NOT NULL,
        payload JSON NOT NULL,
        recorded_at BIGINT NOT NULL
      )`,
      `CREATE INDEX ${n.index('events_type_idx')} ON ${n.events} (type, position)`,
      `CREATE INDEX ${n.index('events_subject_idx')} ON ${n.events} (subject_type, subject_id, position)`,
      `CREATE INDEX ${n.index('events_correlation_idx')} ON ${n.events} (correlation_id, position)`,
      `CREATE INDEX ${n.index('events_causation_idx')} ON ${n.events} (causation_id)`,
      `CREATE INDEX ${n.index('events_occurred_idx')} ON ${n.events} (occurred_at)`,
      `CREATE INDEX ${n.index('events_recorded_idx')} ON ${n.events} (recorded_at)`,
      `CREATE TABLE ${n.deliveries} (
        event_id TEXT NOT NULL REFERENCES ${n.events} (id) ON DELETE CASCADE,
        consumer TEXT NOT NULL,
        slot INTEGER NOT NULL,
        position BIGINT NOT NULL,
        ordering_key TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        lease_owner TEXT,
        lease_until BIGINT,
        last_error TEXT,
        history JSONB NOT NULL DEFAULT '[]',
        finished_at BIGINT,
        PRIMARY KEY (event_id, consumer)
      )`,
      // The head-of-queue test in claim: is there an earlier pending row of this consumer and key?
      `CREATE INDEX ${n.index('deliveries_queue_idx')} ON ${n.deliveries} (consumer, ordering_key, position)
        WHERE status = 'pending'`,
      // Claims walk each consumer's pending rows in position order and stop at the limit.
      `CREATE INDEX ${n.index('deliveries_pending_idx')} ON ${n.deliveries} (consumer, position)
        WHERE status = 'pending'`,
      `CREATE INDEX ${n.index('deliveries_dead_idx')} ON ${n.deliveries} (consumer, finished_at, position)
        WHERE status = 'dead'`,
      `CREATE TABLE ${n.inbox} (
        handler TEXT NOT NULL,
        event_id TEXT NOT NULL,
        processed_at BIGINT NOT NULL,
        PRIMARY KEY (handler, event_id)
      )`,
    ],
  },
  {
    version: 2,
    // pruneInbox deletes by age; without this it would scan the whole inbox every time.
    statements: (n) => [`CREATE INDEX ${n.index('inbox_processed_idx')} ON ${n.inbox} (processed_at)`],
  },
  {
    // Done deliveries leave the claim table (completion 'archive'): its size, and so the
    // cost of a claim, stays that of the backlog, not of everything ever delivered.
    version: 3,
    statements: (n) => [
      `CREATE TABLE ${n.done} (
        event_id TEXT NOT NULL REFERENCES ${n.events} (id) ON DELETE CASCADE,
        consumer TEXT NOT NULL,
        slot INTEGER NOT NULL,
        position BIGINT NOT NULL,
        attempts INTEGER NOT NULL,
        last_error TEXT,
        history JSONB NOT NULL,
        finished_at BIGINT NOT NULL,
        PRIMARY KEY (event_id, consumer)
      )`,
    ],
  },
  {
    // Claims scan queues, not deliveries (queues.ts, claim.ts): one row per (consumer,
    // ordering key) with pending deliveries, with room per page for HOT updates of ready_at. Filled from the pending deliveries already there,
    // ready now (a ready_at that is too early only costs a claim one probe). The (consumer,
    // position) index served the old claim's walk; the queue index serves every probe now.
    version: 4,
    statements: (n) => [
      `CREATE TABLE ${n.queues} (
        consumer TEXT NOT NULL,
        ordering_key TEXT NOT NULL,
        head BIGINT NOT NULL,
        pending INTEGER NOT NULL,
        ready_at BIGINT NOT NULL,
        PRIMARY KEY (consumer, ordering_key)
      ) WITH (fillfactor = 70)`,
      `CREATE INDEX ${n.index('queues_head_idx')} ON ${n.queues} (consumer, head)`,
      `INSERT INTO ${n.queues} (consumer, ordering_key, head, pending, ready_at)
        SELECT consumer, ordering_key, min(position), count(*), 0 FROM ${n.deliveries}
        WHERE status = 'pending' GROUP BY consumer, ordering_key`,
      `DROP INDEX ${n.schema}.${n.index('deliveries_pending_idx')}`,
      // Room on each page for the lease a claim writes: the update stays HOT (no index entry).
      `ALTER TABLE ${n.deliveries} SET (fillfactor = 80)`,
      claimableQueuesFunction(n),
    ],
  },
  {
    // The consumer's dead letters, kept whole for the CLI, the inspector and redrive.
    version: 5,
    statements: receivedDeadLettersMigration,
  },
];

/** The newest schema version this code knows. */
export const schemaVersion = migrations.length;

// A constant first key, so our advisory locks do not collide with an application's own.
const lockClass = 0x7469_6400;

/**
 * Brings the schema up to date; safe to call from many processes at once. Returns the
 * versions it applied (empty when the schema was current).
 */
export async function migrate(pool: Pool, names: TableNames, clock: () => number): Promise<number[]> {
  const held = await checkOut(pool);
  const { client } = held;
  try {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [lockClass, names.lockKey]);
      // CREATE SCHEMA IF NOT EXISTS still needs the CREATE privilege: look before creating.
      const schema = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [names.schemaName]);
      if (schema.rowCount === 0) await client.query(`CREATE SCHEMA ${names.schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${names.migrations} (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
      );
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${names.migrations}`);
      const done = new Set(rows.map((row) => row.version));
      const applied: number[] = [];
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        for (const statement of migration.statements(names)) await client.query(statement);
        await client.query(`INSERT INTO ${names.migrations} (version, applied_at) VALUES ($1, $2)`, [
          migration.version,
          Math.floor(clock()),
        ]);
        applied.push(migration.version);
      }
      await client.query('COMMIT');
      return applied;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => held.discard(rollbackError));
      throw error;
    }
  } finally {
    held.release();
  }
}
