/**
 * The hand-written PostgreSQL baseline: the same rows into the same tables (made by the
 * store's migration under another prefix, plus the (consumer, position) index of pending rows
 * its claim needs), one multi-row INSERT per table, and a claim loop of
 * `SELECT … FOR UPDATE SKIP LOCKED LIMIT n` + `UPDATE … done` per transaction.
 */
import type { AnyDomainEvent } from '@tidings/core';
import { orderingKey } from '@tidings/core/spi';
import { createPostgresOutboxStore } from '@tidings/postgres';
import type pg from 'pg';
import { consumer } from './fixture.ts';

export interface RawPostgres {
  append(events: readonly AnyDomainEvent[]): Promise<void>;
  claimBatch(limit: number): Promise<number>;
}

const placeholders = (rows: number, columns: number) =>
  Array.from(
    { length: rows },
    (_, r) => `(${Array.from({ length: columns }, (_, c) => `$${r * columns + c + 1}`).join(', ')})`,
  ).join(', ');

export async function openRawPostgres(pool: pg.Pool, schema: string, prefix = 'raw_'): Promise<RawPostgres> {
  const store = createPostgresOutboxStore({ pool, schema, tablePrefix: prefix, notify: false });
  await store.transaction(() => undefined); // runs the migration
  await store.close();
  const events = `"${schema}"."${prefix}events"`;
  const deliveries = `"${schema}"."${prefix}deliveries"`;
  // The index this loop's claim walks (the store's own claim scans its queue table instead).
  await pool.query(
    `CREATE INDEX IF NOT EXISTS "${prefix}pending_idx" ON ${deliveries} (consumer, position) WHERE status = 'pending'`,
  );
  const inTransaction = async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  };
  return {
    append: (list) =>
      inTransaction(async (client) => {
        const now = Date.now();
        const values = list.flatMap((e) => [
          e.id,
          e.type,
          e.version,
          e.occurredAt,
          e.occurredAt,
          e.subject?.type ?? null,
          e.subject?.id ?? null,
          e.subject?.sequence ?? null,
          e.correlationId,
          e.causationId ?? null,
          JSON.stringify(e.metadata),
          JSON.stringify(e.payload),
          now,
        ]);
        const { rows } = await client.query<{ id: string; position: string }>(
          `INSERT INTO ${events} (id, type, version, occurred_at, occurred_at_text, subject_type, subject_id,
             subject_sequence, correlation_id, causation_id, metadata, payload, recorded_at)
           VALUES ${placeholders(list.length, 13)} RETURNING id, position`,
          values,
        );
        const position = new Map(rows.map((r) => [r.id, r.position]));
        await client.query(
          `INSERT INTO ${deliveries} (event_id, consumer, slot, position, ordering_key, status, next_attempt_at)
           VALUES ${placeholders(list.length, 7)}`,
          list.flatMap((e) => [e.id, consumer, 0, position.get(e.id), orderingKey(e), 'pending', now]),
        );
      }),
    claimBatch: (limit) =>
      inTransaction(async (client) => {
        const { rows } = await client.query<{ event_id: string; payload: unknown }>(
          `SELECT d.event_id, e.payload, e.metadata FROM ${deliveries} d JOIN ${events} e ON e.id = d.event_id
           WHERE d.consumer = $1 AND d.status = 'pending' ORDER BY d.position LIMIT $2
           FOR UPDATE OF d SKIP LOCKED`,
          [consumer, limit],
        );
        if (rows.length === 0) return 0;
        await client.query(
          `UPDATE ${deliveries} SET status = 'done', finished_at = $1 WHERE consumer = $2 AND event_id = ANY($3)`,
          [Date.now(), consumer, rows.map((r) => r.event_id)],
        );
        return rows.length;
      }),
  };
}
