/**
 * A fresh table prefix per test and a factory of stores over it, each in its own pool, all
 * closed and dropped when the test finishes.
 */
import type { Pool } from 'mysql2/promise';
import { onTestFinished } from 'vitest';
import { createMysqlOutboxStore, type MysqlOutboxStore } from '../src/mysql-outbox-store.ts';
import type { MysqlOutboxStoreOptions } from '../src/options.ts';
import { createTestPool, dropTables, uniquePrefix } from './fresh-tables.ts';

export function freshTables(extra: Partial<MysqlOutboxStoreOptions> = {}) {
  const tablePrefix = uniquePrefix();
  const pools: Pool[] = [];
  const stores: MysqlOutboxStore[] = [];
  onTestFinished(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await Promise.all(pools.map((pool) => pool.end()));
    await dropTables(tablePrefix);
  });
  const open = (more: Partial<MysqlOutboxStoreOptions> = {}) => {
    const pool = createTestPool();
    pools.push(pool);
    const store = createMysqlOutboxStore({ pool, tablePrefix, ...extra, ...more });
    stores.push(store);
    return store;
  };
  return { tablePrefix, open };
}
