/** The shared OutboxStore contract, on MySQL / MariaDB: fresh tables per test, dropped after. */

import type { OutboxStore } from '@tidings/core';
import { runOutboxStoreContract } from '@tidings/testing';
import type { Pool } from 'mysql2/promise';
import { createTestPool, dropTables, uniquePrefix } from '../test/fresh-tables.ts';
import { createMysqlOutboxStore } from './mysql-outbox-store.ts';
import type { MysqlTx } from './options.ts';

runOutboxStoreContract<MysqlTx>('mysql', async ({ clock }) => {
  const tablePrefix = uniquePrefix();
  const pools: Pool[] = [createTestPool()];
  const store = createMysqlOutboxStore({ pool: pools[0]!, tablePrefix, clock });
  await store.migrate();
  const peers: OutboxStore<MysqlTx>[] = [];
  return {
    store,
    async peer() {
      const pool = createTestPool();
      pools.push(pool);
      const peer = createMysqlOutboxStore({ pool, tablePrefix, clock });
      peers.push(peer);
      return peer;
    },
    async close() {
      await Promise.all([store, ...peers].map((s) => s.close()));
      await Promise.all(pools.map((pool) => pool.end()));
      await dropTables(tablePrefix);
    },
  };
});
