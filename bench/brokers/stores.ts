/**
 * The outbox stores the relay benchmarks read from: SQLite in a temp file (the embedded
 * default) and PostgreSQL in a fresh schema. Each is created per benchmark and removed after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyDomainEvent, Inbox, Outbox, OutboxStore } from '@tidings/core';
import { createPostgresOutboxStore } from '@tidings/postgres';
import { createSqliteOutboxStore } from '@tidings/sqlite';
import pg from 'pg';
import { chunk, uniqueId } from './fixture.ts';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type StoreKind = 'sqlite' | 'postgres';

export interface BenchStore {
  // biome-ignore lint/suspicious/noExplicitAny: the relay and consumer are generic over the transaction type.
  readonly store: OutboxStore<any> & Inbox<any>;
  readonly version: Record<string, string>;
  /** The SQLite file (SQLite only), for hand-written loops over the same tables. */
  readonly filename?: string;
  /** The store's pool and its inbox table (PostgreSQL only), for hand-written loops. */
  readonly pg?: { readonly pool: pg.Pool; readonly inboxTable: string };
  remove(): Promise<void>;
}

export async function createBenchStore(
  kind: StoreKind,
  sqlite: { readonly checkpoint?: 'background' | 'inline' } = {},
): Promise<BenchStore> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tidings-bench-'));
    const filename = join(dir, 'outbox.db');
    const store = createSqliteOutboxStore({ filename, ...sqlite });
    return {
      store,
      filename,
      version: {},
      async remove() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `bench_${uniqueId()}`;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  const store = createPostgresOutboxStore({ pool, schema });
  await store.migrate();
  const { rows } = await pool.query<{ server_version: string }>('SHOW server_version');
  return {
    store,
    pg: { pool, inboxTable: `"${schema}".tidings_inbox` },
    version: { PostgreSQL: rows[0]?.server_version ?? '?' },
    async remove() {
      await store.close();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}

/** Appends `events` as a backlog, 500 per transaction (not what is measured). */
export async function fillBacklog<Tx>(outbox: Outbox<Tx>, events: readonly AnyDomainEvent[]): Promise<void> {
  for (const slice of chunk(events, 500)) {
    await outbox.transaction((_tx, record) => record(slice));
  }
}
