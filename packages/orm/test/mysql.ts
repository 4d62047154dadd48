/** MySQL / MariaDB support for the adapters' tests: a database of its own with an orders table per test. */
import { randomUUID } from 'node:crypto';
import { createMysqlOutboxStore, type MysqlOutboxStore } from '@tidings/mysql';
import mysql from 'mysql2/promise';

export const mysqlUrl = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export interface MysqlFixture {
  /** A URL of the test's own database. */
  readonly url: string;
  readonly database: string;
  readonly pool: mysql.Pool;
  readonly store: MysqlOutboxStore;
  orderIds(): Promise<string[]>;
  close(): Promise<void>;
}

export async function createMysqlFixture(): Promise<MysqlFixture> {
  const database = `orm_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = await mysql.createConnection({ uri: mysqlUrl });
  await admin.query(`CREATE DATABASE \`${database}\``);
  await admin.end();
  const url = new URL(mysqlUrl);
  url.pathname = `/${database}`;
  const pool = mysql.createPool({ uri: url.toString(), connectionLimit: 3 });
  const store = createMysqlOutboxStore({ pool });
  await store.migrate();
  await pool.query('CREATE TABLE orders (id VARCHAR(64) PRIMARY KEY) ENGINE=InnoDB');
  return {
    url: url.toString(),
    database,
    pool,
    store,
    async orderIds() {
      const [rows] = await pool.query<mysql.RowDataPacket[]>('SELECT id FROM orders ORDER BY id');
      return rows.map((row) => row.id as string);
    },
    async close() {
      await store.close();
      await pool.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await pool.end();
    },
  };
}
