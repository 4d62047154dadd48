/**
 * The crash test's database on MySQL / MariaDB: the outbox under a table prefix taken from
 * the target URL (`?prefix=`), and the `effects` table beside it.
 */
import { createMysqlOutboxStore, type MysqlTx } from '@tidings/mysql';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import type { CrashDb } from './crash-db.ts';

export async function openMysqlCrashDb(target: string): Promise<CrashDb> {
  const url = new URL(target);
  const prefix = url.searchParams.get('prefix') ?? 'crash_';
  url.searchParams.delete('prefix');
  // Several engineers' tests share the server's connection limit: a modest pool per process.
  const pool = mysql.createPool({ uri: url.toString(), connectionLimit: 12 });
  const store = createMysqlOutboxStore({ pool, tablePrefix: prefix });
  await store.migrate();
  const effects = `\`${prefix}effects\``;
  await pool.query(
    `CREATE TABLE IF NOT EXISTS ${effects} (event_id VARCHAR(64), subject VARCHAR(64), sequence INT, in_order BOOLEAN, KEY (subject, sequence))`,
  );
  return {
    store: store as unknown as CrashDb['store'],
    async recordEffect(tx, eventId, subject, sequence) {
      const connection = tx as MysqlTx;
      const [rows] = await connection.query<RowDataPacket[]>(
        `SELECT MAX(sequence) AS last FROM ${effects} WHERE subject = ?`,
        [subject],
      );
      const last = rows[0]?.last === null ? 0 : Number(rows[0]?.last);
      await connection.query(`INSERT INTO ${effects} VALUES (?, ?, ?, ?)`, [
        eventId,
        subject,
        sequence,
        sequence === last + 1,
      ]);
    },
    async summary() {
      const [rows] = await pool.query<RowDataPacket[]>(
        `SELECT COUNT(*) AS effects, COUNT(DISTINCT event_id) AS d, SUM(NOT in_order) AS bad FROM ${effects}`,
      );
      const row = rows[0] as { effects: number; d: number; bad: string | null };
      return { effects: Number(row.effects), distinct: Number(row.d), outOfOrder: Number(row.bad ?? 0) };
    },
    async effectIds() {
      const [rows] = await pool.query<RowDataPacket[]>(`SELECT DISTINCT event_id FROM ${effects}`);
      return new Set(rows.map((r) => r.event_id as string));
    },
    async close() {
      await store.close();
      await pool.end();
    },
  };
}
