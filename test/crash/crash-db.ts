/**
 * The crash test's database, SQLite, PostgreSQL or MySQL / MariaDB: the outbox store plus an
 * `effects` table the handler writes in its inbox transaction, and helpers to read it back.
 */

import type { Inbox, OutboxStore } from '@tidings/core';
import { createPostgresOutboxStore } from '@tidings/postgres';
import { createSqliteOutboxStore } from '@tidings/sqlite';
import pg from 'pg';
import { openMysqlCrashDb } from './crash-db-mysql.ts';

export interface CrashDb {
  readonly store: OutboxStore<unknown> & Inbox<unknown>;
  /** Records an effect and whether it came in subject order; runs inside the handler's tx. */
  recordEffect(tx: unknown, eventId: string, subject: string, sequence: number): Promise<void>;
  summary(): Promise<{ effects: number; distinct: number; outOfOrder: number }>;
  /** The ids of the events whose effect was applied (for telling which ones are missing). */
  effectIds(): Promise<ReadonlySet<string>>;
  close(): Promise<void>;
}

export async function openCrashDb(target: string): Promise<CrashDb> {
  if (target.startsWith('mysql')) return openMysqlCrashDb(target);
  if (target.startsWith('postgres')) {
    const url = new URL(target);
    const schema = url.searchParams.get('schema') ?? 'crash';
    url.searchParams.delete('schema');
    // The relay process is what gets killed, never the database server, so commits need not
    // wait for fsync: synchronous_commit=off keeps the test quick without weakening what it proves.
    const pool = new pg.Pool({
      connectionString: url.toString(),
      max: 20,
      options: '-c synchronous_commit=off',
    });
    pool.on('error', () => undefined); // idle clients lost to a server restart are replaced
    const store = createPostgresOutboxStore({ pool, schema });
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await pool.query(
      `CREATE TABLE IF NOT EXISTS "${schema}".effects (event_id TEXT, subject TEXT, sequence INT, in_order BOOLEAN)`,
    );
    return {
      store: store as CrashDb['store'],
      async recordEffect(tx, eventId, subject, sequence) {
        const client = tx as pg.ClientBase;
        const { rows } = await client.query(
          `SELECT max(sequence) AS last FROM "${schema}".effects WHERE subject = $1`,
          [subject],
        );
        const last = rows[0]?.last === null ? 0 : Number(rows[0]?.last);
        await client.query(`INSERT INTO "${schema}".effects VALUES ($1, $2, $3, $4)`, [
          eventId,
          subject,
          sequence,
          sequence === last + 1,
        ]);
      },
      async summary() {
        const { rows } = await pool.query(
          `SELECT count(*) AS effects, count(DISTINCT event_id) AS distinct, count(*) FILTER (WHERE NOT in_order) AS out_of_order FROM "${schema}".effects`,
        );
        const row = rows[0] as Record<string, string>;
        return {
          effects: Number(row.effects),
          distinct: Number(row.distinct),
          outOfOrder: Number(row.out_of_order),
        };
      },
      async effectIds() {
        const { rows } = await pool.query<{ event_id: string }>(
          `SELECT DISTINCT event_id FROM "${schema}".effects`,
        );
        return new Set(rows.map((r) => r.event_id));
      },
      async close() {
        await store.close();
        await pool.end();
      },
    };
  }
  const store = createSqliteOutboxStore({ filename: target });
  await store.transaction(({ db }) => {
    db.exec('CREATE TABLE IF NOT EXISTS effects (event_id TEXT, subject TEXT, sequence INT, in_order INT)');
  });
  return {
    store: store as unknown as CrashDb['store'],
    async recordEffect(tx, eventId, subject, sequence) {
      const { db } = tx as { db: import('better-sqlite3').Database };
      const last =
        (
          db.prepare('SELECT max(sequence) AS last FROM effects WHERE subject = ?').get(subject) as {
            last: number | null;
          }
        ).last ?? 0;
      db.prepare('INSERT INTO effects VALUES (?, ?, ?, ?)').run(
        eventId,
        subject,
        sequence,
        sequence === last + 1 ? 1 : 0,
      );
    },
    summary: () =>
      store.transaction(({ db }) => {
        const row = db
          .prepare(
            'SELECT count(*) AS effects, count(DISTINCT event_id) AS d, sum(in_order = 0) AS bad FROM effects',
          )
          .get() as { effects: number; d: number; bad: number | null };
        return { effects: row.effects, distinct: row.d, outOfOrder: row.bad ?? 0 };
      }),
    effectIds: () =>
      store.transaction(({ db }) => {
        const rows = db.prepare('SELECT DISTINCT event_id FROM effects').pluck().all() as string[];
        return new Set(rows);
      }),
    close: () => store.close(),
  };
}
