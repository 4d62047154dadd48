/**
 * Outbox append, 1 and 100 events per transaction: `store.transaction` + `store.append`
 * against the hand-written INSERTs of the same rows with the same driver. Events are created
 * before each run (not timed), so both sides pay only for the database write.
 */
import type { AnyDomainEvent, OutboxStore } from '@tidings/core';
import { createPostgresOutboxStore } from '@tidings/postgres';
import { createSqliteOutboxStore } from '@tidings/sqlite';
import type pg from 'pg';
import { type Benchmark, defineBenchmark } from '../../registry.ts';
import { mysqlAppend } from './append-mysql.ts';
import {
  chunks,
  createPool,
  dropSchema,
  entriesOf,
  makeEvents,
  postgresVersion,
  sqliteVersion,
  tempDir,
  uniqueSchema,
} from './fixture.ts';
import { openRawPostgres } from './pg-raw.ts';
import { openRawSqlite } from './sqlite-raw.ts';

const batches = [1, 100] as const;

interface Prepared {
  batches: AnyDomainEvent[][];
}

const prepare = (state: Prepared, iterations: number, batch: number) => {
  state.batches = chunks(makeEvents(iterations), batch);
};

const appendAll = async (store: OutboxStore, list: readonly AnyDomainEvent[][]) => {
  for (const events of list) await store.transaction((tx) => store.append(tx, entriesOf(events)));
  return list.reduce((n, b) => n + b.length, 0);
};

function sqliteAppend(batch: number): Benchmark[] {
  const group = `outbox append: SQLite, ${batch} event${batch > 1 ? 's' : ''} per transaction`;
  const raw = `append/sqlite/${batch}/raw-insert`;
  const size = { full: batch === 1 ? 5_000 : 50_000, quick: batch === 1 ? 1_000 : 10_000, smoke: batch };
  return [
    defineBenchmark({
      name: raw,
      group,
      note: 'better-sqlite3 prepared INSERTs of the same events and deliveries rows, BEGIN IMMEDIATE…COMMIT, WAL, synchronous=NORMAL',
      size,
      async setup() {
        const tmp = tempDir();
        const db = await openRawSqlite(`${tmp.dir}/raw.db`);
        return { tmp, db, batches: [] as AnyDomainEvent[][] };
      },
      beforeRun: (s, n) => prepare(s, n, batch),
      run: (s) => {
        for (const events of s.batches) s.db.append(events);
        return s.batches.reduce((n, b) => n + b.length, 0);
      },
      teardown: (s) => {
        s.db.close();
        s.tmp.remove();
      },
      versions: (s) => sqliteVersion(s.db.db),
    }),
    defineBenchmark({
      name: `append/sqlite/${batch}/tidings`,
      group,
      anchor: raw,
      target: { ratio: 0.8 },
      note: '`store.transaction(tx => store.append(tx, entries))` of `createSqliteOutboxStore`, same pragmas',
      size,
      setup() {
        const tmp = tempDir();
        const store = createSqliteOutboxStore({ filename: `${tmp.dir}/store.db` });
        return { tmp, store, batches: [] as AnyDomainEvent[][] };
      },
      beforeRun: (s, n) => prepare(s, n, batch),
      run: (s) => appendAll(s.store, s.batches),
      teardown: async (s) => {
        await s.store.close();
        s.tmp.remove();
      },
    }),
  ];
}

function postgresAppend(batch: number): Benchmark[] {
  const group = `outbox append: PostgreSQL, ${batch} event${batch > 1 ? 's' : ''} per transaction`;
  const raw = `append/postgres/${batch}/raw-insert`;
  const size = { full: batch === 1 ? 2_000 : 30_000, quick: batch === 1 ? 500 : 5_000, smoke: batch };
  const fresh = async () => ({
    pool: createPool(),
    schema: uniqueSchema(),
    batches: [] as AnyDomainEvent[][],
  });
  const cleanup = async (s: { pool: pg.Pool; schema: string }) => {
    await dropSchema(s.pool, s.schema);
    await s.pool.end();
  };
  return [
    defineBenchmark({
      name: raw,
      group,
      note: 'pg: BEGIN, one multi-row INSERT into events (RETURNING position) and one into deliveries, COMMIT',
      size,
      async setup() {
        const s = await fresh();
        return { ...s, raw: await openRawPostgres(s.pool, s.schema) };
      },
      beforeRun: (s, n) => prepare(s, n, batch),
      async run(s) {
        for (const events of s.batches) await s.raw.append(events);
        return s.batches.reduce((n, b) => n + b.length, 0);
      },
      teardown: (s) => cleanup(s),
      versions: (s) => postgresVersion(s.pool),
    }),
    defineBenchmark({
      name: `append/postgres/${batch}/tidings`,
      group,
      anchor: raw,
      target: { ratio: 0.8 },
      note: '`createPostgresOutboxStore` (NOTIFY on, as by default): transaction + append',
      size,
      async setup() {
        const s = await fresh();
        const store = createPostgresOutboxStore({ pool: s.pool, schema: s.schema, tablePrefix: 'store_' });
        return { ...s, store };
      },
      beforeRun: (s, n) => prepare(s, n, batch),
      run: (s) => appendAll(s.store, s.batches),
      async teardown(s) {
        await s.store.close();
        await cleanup(s);
      },
    }),
  ];
}

export const appendBenchmarks: readonly Benchmark[] = [
  ...batches.flatMap(sqliteAppend),
  ...batches.flatMap(postgresAppend),
  ...batches.flatMap(mysqlAppend),
];
