/**
 * What the store benchmarks share: the events they append (each on its own subject, so the
 * per-subject ordering never parks one behind another), temp SQLite files, fresh PostgreSQL
 * schemas, and the server versions for the report.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AnyDomainEvent, defineEvent } from '@tidings/core';
import type { OutboxEntry } from '@tidings/core/spi';
import type Database from 'better-sqlite3';
import pg from 'pg';
import { z } from 'zod';

export const OrderPlaced = defineEvent('OrderPlaced', {
  schema: z.object({ orderId: z.string(), total: z.number(), email: z.string() }),
});

/** The one consumer every appended event is owed to. */
export const consumer = 'bench-handler';

let serial = 0;
/** `count` events, each on its own subject, or spread round-robin over `subjects` hot ones. */
export function makeEvents(count: number, subjects?: number): AnyDomainEvent[] {
  const run = ++serial;
  return Array.from({ length: count }, (_, i) => {
    const n = ++serial;
    const id = subjects === undefined ? `o-${n}` : `hot-${run}-${i % subjects}`;
    return OrderPlaced.create(
      { orderId: `o-${n}`, total: n % 1000, email: `c${n}@example.com` },
      { subject: { type: 'Order', id, sequence: subjects === undefined ? 1 : Math.floor(i / subjects) + 1 } },
    );
  });
}

export const entriesOf = (events: readonly AnyDomainEvent[]): OutboxEntry[] =>
  events.map((event) => ({ event, consumers: [consumer] }));

export function tempDir(): { readonly dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-bench-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const sqliteVersion = (db: Database.Database) => ({
  SQLite: String((db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v),
});

export const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function uniqueSchema(): string {
  return `bench_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

export function createPool(max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max });
  pool.on('error', () => undefined);
  return pool;
}

export async function postgresVersion(pool: pg.Pool): Promise<Record<string, string>> {
  const { rows } = await pool.query<{ server_version: string }>('SHOW server_version');
  return { PostgreSQL: rows[0]?.server_version ?? 'unknown' };
}

export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

export const chunks = <T>(list: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));
