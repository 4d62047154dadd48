/**
 * Test support for the PostgreSQL integration tests: the database to use, a unique schema
 * per test (so test files run in parallel on one server), small pools, and cleanup.
 */
import { randomUUID } from 'node:crypto';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { type AnyDomainEvent, defineEvent } from '@tidings/core';
import pg from 'pg';

/** `DATABASE_URL`, else the local test server (trust auth). */
export const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other test uses. */
export function uniqueSchema(): string {
  return `t_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
}

/** A small pool: several engineers' tests share one server's connection limit. */
export function createTestPool(max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max });
  pool.on('error', () => undefined);
  return pool;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Waits until `condition` holds, checking every few milliseconds, for at most `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const anyObject: StandardSchemaV1<Record<string, unknown>> = {
  '~standard': {
    version: 1,
    vendor: 'tidings-postgres-tests',
    validate: (value) => ({ value: value as Record<string, unknown> }),
  },
};

/** The one event type the PostgreSQL tests append. */
export const Noted = defineEvent('pg.Noted', { schema: anyObject });

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
