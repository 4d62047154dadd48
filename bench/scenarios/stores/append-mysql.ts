/**
 * Outbox append on MySQL / MariaDB, 1 and 100 events per transaction: `store.transaction` +
 * `store.append` against the hand-written mysql2 INSERTs of the same rows.
 */
import type { AnyDomainEvent, OutboxStore } from '@tidings/core';
import { createMysqlOutboxStore } from '@tidings/mysql';
import type { Pool } from 'mysql2/promise';
import { type Benchmark, defineBenchmark } from '../../registry.ts';
import { chunks, entriesOf, makeEvents } from './fixture.ts';
import { createMysqlPool, dropTables, mysqlVersion, uniquePrefix } from './mysql-fixture.ts';
import { openRawMysql } from './mysql-raw.ts';

const appendAll = async (store: OutboxStore, list: readonly AnyDomainEvent[][]) => {
  for (const events of list) await store.transaction((tx) => store.append(tx, entriesOf(events)));
  return list.reduce((n, b) => n + b.length, 0);
};

export function mysqlAppend(batch: number): Benchmark[] {
  const group = `outbox append: MySQL, ${batch} event${batch > 1 ? 's' : ''} per transaction`;
  const raw = `append/mysql/${batch}/raw-insert`;
  const size = { full: batch === 1 ? 2_000 : 30_000, quick: batch === 1 ? 500 : 5_000, smoke: batch };
  const fresh = () => ({
    pool: createMysqlPool(),
    prefix: uniquePrefix(),
    batches: [] as AnyDomainEvent[][],
  });
  const prepare = (s: { batches: AnyDomainEvent[][] }, n: number) => {
    s.batches = chunks(makeEvents(n), batch);
  };
  const cleanup = async (s: { pool: Pool; prefix: string }) => {
    await dropTables(s.pool, s.prefix);
    await s.pool.end();
  };
  return [
    defineBenchmark({
      name: raw,
      group,
      note: 'mysql2: BEGIN, one multi-row INSERT into events and one into deliveries, COMMIT',
      size,
      async setup() {
        const s = fresh();
        return { ...s, raw: await openRawMysql(s.pool, s.prefix) };
      },
      beforeRun: (s, n) => prepare(s, n),
      async run(s) {
        for (const events of s.batches) await s.raw.append(events);
        return s.batches.reduce((n, b) => n + b.length, 0);
      },
      teardown: (s) => cleanup(s),
      versions: (s) => mysqlVersion(s.pool),
    }),
    defineBenchmark({
      name: `append/mysql/${batch}/tidings`,
      group,
      anchor: raw,
      target: { ratio: 0.8 },
      note: '`createMysqlOutboxStore`: transaction + append',
      size,
      async setup() {
        const s = fresh();
        const store = createMysqlOutboxStore({ pool: s.pool, tablePrefix: s.prefix });
        await store.migrate();
        return { ...s, store };
      },
      beforeRun: (s, n) => prepare(s, n),
      run: (s) => appendAll(s.store, s.batches),
      async teardown(s) {
        await s.store.close();
        await cleanup(s);
      },
    }),
  ];
}
