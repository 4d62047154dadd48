/**
 * Test support for the MySQL integration tests: the server to use, a unique table prefix
 * per test (so test files run in parallel on one server), small pools, and cleanup.
 */
import { randomUUID } from 'node:crypto';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { type AnyDomainEvent, defineEvent } from '@tidings/core';
import mysql, { type Pool } from 'mysql2/promise';

/** `MYSQL_URL`, else the local test server (root, empty password, database `test`). */
export const mysqlUrl = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

/** A table prefix no other test uses. */
export function uniquePrefix(): string {
  return `t${randomUUID().replaceAll('-', '').slice(0, 16)}_`;
}

/** A small pool: several engineers' tests share one server's connection limit. */
export function createTestPool(connectionLimit = 4): Pool {
  return mysql.createPool({ uri: mysqlUrl, connectionLimit });
}

/** Drops every table whose name starts with `prefix`, deliveries before events (the foreign key). */
export async function dropTables(prefix: string): Promise<void> {
  const connection = await mysql.createConnection({ uri: mysqlUrl });
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?',
      [`${prefix.replaceAll('_', '\\_')}%`],
    );
    const tables = rows.map((row) => `\`${row.name as string}\``);
    if (tables.length > 0) {
      await connection.query('SET FOREIGN_KEY_CHECKS = 0');
      await connection.query(`DROP TABLE IF EXISTS ${tables.join(', ')}`);
    }
  } finally {
    await connection.end();
  }
}

const anyObject: StandardSchemaV1<Record<string, unknown>> = {
  '~standard': {
    version: 1,
    vendor: 'tidings-mysql-tests',
    validate: (value) => ({ value: value as Record<string, unknown> }),
  },
};

/** The one event type the MySQL tests append. */
export const Noted = defineEvent('mysql.Noted', { schema: anyObject });

/** An event of `subjectId` (none when undefined) carrying `payload`. */
export function noted(
  subjectId?: string,
  payload: Record<string, unknown> = {},
  sequence?: number,
): AnyDomainEvent {
  return Noted.create(payload, {
    ...(subjectId === undefined
      ? {}
      : { subject: { type: 'Note', id: subjectId, ...(sequence === undefined ? {} : { sequence }) } }),
  });
}
