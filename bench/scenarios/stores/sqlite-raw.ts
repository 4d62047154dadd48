/**
 * The hand-written SQLite baseline: the same rows into the same tables (made by the store's
 * own migration under another prefix, same pragmas), with prepared statements and nothing
 * else — no savepoint, no duplicate check, no append listeners.
 */
import type { AnyDomainEvent } from '@tidings/core';
import { orderingKey } from '@tidings/core/spi';
import { createSqliteOutboxStore } from '@tidings/sqlite';
import Database from 'better-sqlite3';
import { consumer } from './fixture.ts';

export interface RawSqlite {
  readonly db: Database.Database;
  append(events: readonly AnyDomainEvent[]): void;
  /** Claims up to `limit` pending rows in position order, reads them, marks them done. */
  claimBatch(limit: number): number;
  close(): void;
}

export async function openRawSqlite(filename: string, prefix = 'raw_'): Promise<RawSqlite> {
  const db = new Database(filename);
  // The store applies its pragmas and schema to a connection it is given, and leaves it open.
  const store = createSqliteOutboxStore({ database: db, tablePrefix: prefix });
  await store.close();
  const insertEvent = db.prepare(
    `INSERT INTO ${prefix}events (id, type, version, occurred_at, subject_type, subject_id, sequence,
       correlation_id, causation_id, metadata, payload, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertDelivery = db.prepare(
    `INSERT INTO ${prefix}deliveries (event_id, consumer, position, ordering_key, status, next_attempt_at)
     VALUES (?, ?, ?, ?, 'pending', ?)`,
  );
  const select = db.prepare(
    // Without INDEXED BY the planner picks the (consumer, ordering_key, position) index and
    // sorts every pending row per batch: 3k rows/s at a 100k backlog instead of ~40k.
    `SELECT d.event_id, e.type, e.payload, e.metadata FROM ${prefix}deliveries d INDEXED BY ${prefix}deliveries_pending
     JOIN ${prefix}events e ON e.id = d.event_id
     WHERE d.consumer = ? AND d.status = 'pending' ORDER BY d.position LIMIT ?`,
  );
  const done = db.prepare(
    `UPDATE ${prefix}deliveries SET status = 'done', finished_at = ? WHERE event_id = ? AND consumer = ?`,
  );
  return {
    db,
    append(events) {
      const now = Date.now();
      db.exec('BEGIN IMMEDIATE');
      try {
        for (const e of events) {
          const position = insertEvent.run(
            e.id,
            e.type,
            e.version,
            e.occurredAt,
            e.subject?.type ?? null,
            e.subject?.id ?? null,
            e.subject?.sequence ?? null,
            e.correlationId,
            e.causationId ?? null,
            JSON.stringify(e.metadata),
            JSON.stringify(e.payload),
            now,
          ).lastInsertRowid;
          insertDelivery.run(e.id, consumer, position, orderingKey(e), now);
        }
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    },
    claimBatch(limit) {
      db.exec('BEGIN IMMEDIATE');
      const rows = select.all(consumer, limit) as { event_id: string; payload: string; metadata: string }[];
      const now = Date.now();
      for (const row of rows) {
        JSON.parse(row.payload);
        JSON.parse(row.metadata);
        done.run(now, row.event_id, consumer);
      }
      db.exec('COMMIT');
      return rows.length;
    },
    close: () => db.close(),
  };
}
