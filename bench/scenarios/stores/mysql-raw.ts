/**
 * The hand-written MySQL baseline with mysql2: the same rows into the same tables (made by
 * the store's migration under another prefix), one multi-row INSERT per table, and a claim
 * loop of `SELECT … FOR UPDATE SKIP LOCKED LIMIT n` + `UPDATE … done` per transaction.
 */
import type { AnyDomainEvent } from '@tidings/core';
import { orderingKey } from '@tidings/core/spi';
import { createMysqlOutboxStore } from '@tidings/mysql';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { consumer } from './fixture.ts';

export interface RawMysql {
  append(events: readonly AnyDomainEvent[]): Promise<void>;
  claimBatch(limit: number): Promise<number>;
}

export async function openRawMysql(pool: Pool, prefix: string): Promise<RawMysql> {
  const store = createMysqlOutboxStore({ pool, tablePrefix: prefix });
  await store.migrate();
  await store.close();
  const events = `\`${prefix}events\``;
  const deliveries = `\`${prefix}deliveries\``;
  const inTransaction = async <T>(work: (connection: PoolConnection) => Promise<T>): Promise<T> => {
    const connection = await pool.getConnection();
    try {
      await connection.beginTransaction();
      const result = await work(connection);
      await connection.commit();
      return result;
    } catch (error) {
      await connection.rollback();
      throw error;
    } finally {
      connection.release();
    }
  };
  return {
    append: (list) =>
      inTransaction(async (connection) => {
        const now = Date.now();
        await connection.query(
          `INSERT INTO ${events} (id, type, version, occurred_ms, occurred_at, subject_type, subject_id,
             subject_sequence, correlation_id, causation_id, metadata, payload, recorded_at) VALUES ?`,
          [
            list.map((e) => [
              e.id,
              e.type,
              e.version,
              Date.parse(e.occurredAt),
              e.occurredAt,
              e.subject?.type ?? null,
              e.subject?.id ?? null,
              e.subject?.sequence ?? null,
              e.correlationId,
              e.causationId ?? null,
              JSON.stringify(e.metadata),
              JSON.stringify(e.payload),
              now,
            ]),
          ],
        );
        await connection.query(
          `INSERT INTO ${deliveries} (event_id, consumer, slot, ordering_key, status, next_attempt_at, history) VALUES ?`,
          [list.map((e) => [e.id, consumer, 0, orderingKey(e), 'pending', now, '[]'])],
        );
      }),
    claimBatch: (limit) =>
      inTransaction(async (connection) => {
        const [rows] = await connection.query<RowDataPacket[]>(
          `SELECT d.seq, e.payload, e.metadata FROM ${deliveries} d JOIN ${events} e ON e.id = d.event_id
           WHERE d.consumer = ? AND d.status = 'pending' ORDER BY d.seq LIMIT ?
           FOR UPDATE SKIP LOCKED`,
          [consumer, limit],
        );
        if (rows.length === 0) return 0;
        await connection.query(`UPDATE ${deliveries} SET status = 'done', finished_at = ? WHERE seq IN (?)`, [
          Date.now(),
          rows.map((r) => r.seq),
        ]);
        return rows.length;
      }),
  };
}
