/** The relay benchmarks' MySQL side: the Tidings store, or the raw tables beside it. */
import { createMysqlOutboxStore } from '@tidings/mysql';
import type { RawKit, StoreKit } from './backends.ts';
import { chunks, entriesOf, makeEvents } from './fixture.ts';
import { createMysqlPool, dropTables, mysqlVersion, uniquePrefix } from './mysql-fixture.ts';
import { openRawMysql } from './mysql-raw.ts';

const fillBatch = 1_000;

export async function openMysqlStore(): Promise<StoreKit> {
  const pool = createMysqlPool();
  const prefix = uniquePrefix();
  const store = createMysqlOutboxStore({ pool, tablePrefix: prefix });
  await store.migrate();
  return {
    store,
    async fill(count) {
      for (const batch of chunks(makeEvents(count), fillBatch)) {
        await store.transaction((tx) => store.append(tx, entriesOf(batch)));
      }
    },
    addHistory() {
      return Promise.reject(new Error('The relay growth benchmark is not measured on MySQL.'));
    },
    versions: () => mysqlVersion(pool),
    async close() {
      await store.close();
      await dropTables(pool, prefix);
      await pool.end();
    },
  };
}

export async function openRawMysqlKit(): Promise<RawKit> {
  const pool = createMysqlPool();
  const prefix = uniquePrefix();
  const raw = await openRawMysql(pool, prefix);
  return {
    async fill(n) {
      for (const batch of chunks(makeEvents(n), fillBatch)) await raw.append(batch);
    },
    claimBatch: (limit) => raw.claimBatch(limit),
    versions: () => mysqlVersion(pool),
    async close() {
      await dropTables(pool, prefix);
      await pool.end();
    },
  };
}
