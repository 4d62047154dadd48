/**
 * What the MySQL store benchmarks share: the server to use, a unique table prefix per
 * benchmark, small pools, cleanup, and the server version for the report.
 */
import { randomUUID } from 'node:crypto';
import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';

export const mysqlUrl = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export function uniquePrefix(): string {
  return `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}_`;
}

export function createMysqlPool(connectionLimit = 4): Pool {
  return mysql.createPool({ uri: mysqlUrl, connectionLimit });
}

export async function mysqlVersion(pool: Pool): Promise<Record<string, string>> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT VERSION() AS v');
  const version = String(rows[0]?.v ?? 'unknown');
  return { [version.includes('MariaDB') ? 'MariaDB' : 'MySQL']: version };
}

/** Drops the store tables with `prefix`, deliveries before events (the foreign key). */
export async function dropTables(pool: Pool, prefix: string): Promise<void> {
  const tables = ['deliveries', 'events', 'inbox', 'migrations'].map((t) => `\`${prefix}${t}\``);
  await pool.query(`DROP TABLE IF EXISTS ${tables.join(', ')}`);
}
