/**
 * A store under benchmark on each database: the Tidings store, or the raw tables beside it,
 * plus how to fill a backlog of pending deliveries and a history of already published rows.
 */
import type { OutboxStore } from '@tidings/core';
import { createPostgresOutboxStore } from '@tidings/postgres';
import { createSqliteOutboxStore } from '@tidings/sqlite';
import Database from 'better-sqlite3';
import type pg from 'pg';
import {
  chunks,
  consumer,
  createPool,
  dropSchema,
  entriesOf,
  makeEvents,
  postgresVersion,
  sqliteVersion,
  tempDir,
  uniqueSchema,
} from './fixture.ts';
import { openMysqlStore, openRawMysqlKit } from './mysql-backend.ts';
import { openRawPostgres } from './pg-raw.ts';
import { openRawSqlite } from './sqlite-raw.ts';

export type DatabaseKind = 'sqlite' | 'postgres' | 'mysql';
export const databaseLabel = { sqlite: 'SQLite', postgres: 'PostgreSQL', mysql: 'MySQL' } as const;

export interface StoreKit {
  readonly store: OutboxStore;
  /** Appends `count` pending events in transactions of 1,000, over `subjects` subjects (default one each). */
  fill(count: number, subjects?: number): Promise<void>;
  /**
   * Writes `count` already published events (deliveries done) straight in SQL: the history a
   * long-running outbox accumulates. Generated in the database, so a million rows take seconds.
   */
  addHistory(count: number): Promise<void>;
  versions(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

const historyPayload = '{"orderId":"h","total":1,"email":"h@example.com"}';

export interface RawKit {
  fill(count: number): Promise<void>;
  claimBatch(limit: number): number | Promise<number>;
  versions(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

const fillBatch = 1_000;

async function fillStore(store: OutboxStore, count: number, subjects?: number) {
  for (const batch of chunks(makeEvents(count, subjects), fillBatch)) {
    await store.transaction((tx) => store.append(tx, entriesOf(batch)));
  }
}

export async function openStore(
  kind: DatabaseKind,
  options: { readonly notify?: boolean } = {},
): Promise<StoreKit> {
  if (kind === 'mysql') return openMysqlStore();
  if (kind === 'sqlite') {
    const tmp = tempDir();
    const filename = `${tmp.dir}/store.db`;
    const store = createSqliteOutboxStore({ filename });
    return {
      store,
      fill: (n, subjects) => fillStore(store, n, subjects),
      async addHistory(count) {
        const db = new Database(filename);
        try {
          db.pragma('busy_timeout = 5000');
          db.transaction(() => {
            db.prepare(
              `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
               INSERT INTO tidings_events (id, type, version, occurred_at, subject_type, subject_id, sequence,
                 correlation_id, metadata, payload, recorded_at)
               SELECT printf('hist-%09d', i), 'OrderPlaced', 1, '2026-01-01T00:00:00.000Z', 'Order', 'h-' || i, 1,
                 printf('hist-%09d', i), '{}', ?, 0 FROM n`,
            ).run(count, historyPayload);
            db.prepare(
              `INSERT INTO tidings_deliveries (event_id, consumer, position, ordering_key, status, next_attempt_at, finished_at)
               SELECT id, ?, position, 'Order:' || subject_id, 'done', 0, 0 FROM tidings_events WHERE id LIKE 'hist-%'`,
            ).run(consumer);
          })();
          db.exec('ANALYZE');
        } finally {
          db.close();
        }
      },
      versions: async () => {
        const db = new Database(filename, { readonly: true });
        try {
          return sqliteVersion(db);
        } finally {
          db.close();
        }
      },
      async close() {
        await store.close();
        tmp.remove();
      },
    };
  }
  const pool = createPool();
  const schema = uniqueSchema();
  const store = createPostgresOutboxStore({ pool, schema, notify: options.notify ?? true });
  await store.transaction(() => undefined);
  const table = (name: string) => `"${schema}"."tidings_${name}"`;
  return {
    store,
    fill: (n, subjects) => fillStore(store, n, subjects),
    async addHistory(count) {
      await pool.query(
        `INSERT INTO ${table('events')} (id, type, version, occurred_at, occurred_at_text, subject_type, subject_id,
           subject_sequence, correlation_id, metadata, payload, recorded_at)
         SELECT 'hist-' || lpad(i::text, 9, '0'), 'OrderPlaced', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000Z',
           'Order', 'h-' || i, 1, 'hist-' || lpad(i::text, 9, '0'), '{}', $1::json, 0 FROM generate_series(1, $2) AS i`,
        [historyPayload, count],
      );
      await pool.query(
        // Where settle leaves done deliveries under the default completion mode ('archive').
        `INSERT INTO ${table('deliveries_done')} (event_id, consumer, slot, position, attempts, history, finished_at)
         SELECT id, $1, 0, position, 0, '[]', 0 FROM ${table('events')} WHERE id LIKE 'hist-%'`,
        [consumer],
      );
      await pool.query(`ANALYZE ${table('events')}`);
      await pool.query(`ANALYZE ${table('deliveries')}`);
      await pool.query(`ANALYZE ${table('deliveries_done')}`);
    },
    versions: () => postgresVersion(pool),
    async close() {
      await store.close();
      await dropSchema(pool, schema);
      await pool.end();
    },
  };
}

export async function openRaw(kind: DatabaseKind): Promise<RawKit> {
  if (kind === 'mysql') return openRawMysqlKit();
  if (kind === 'sqlite') {
    const tmp = tempDir();
    const raw = await openRawSqlite(`${tmp.dir}/raw.db`);
    return {
      async fill(n) {
        for (const batch of chunks(makeEvents(n), fillBatch)) raw.append(batch);
      },
      claimBatch: (limit) => raw.claimBatch(limit),
      versions: async () => sqliteVersion(raw.db),
      async close() {
        raw.close();
        tmp.remove();
      },
    };
  }
  const pool: pg.Pool = createPool();
  const schema = uniqueSchema();
  const raw = await openRawPostgres(pool, schema);
  return {
    async fill(n) {
      for (const batch of chunks(makeEvents(n), fillBatch)) await raw.append(batch);
    },
    claimBatch: (limit) => raw.claimBatch(limit),
    versions: () => postgresVersion(pool),
    async close() {
      await dropSchema(pool, schema);
      await pool.end();
    },
  };
}
