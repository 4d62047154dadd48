/** The shared OutboxStore contract, on PostgreSQL: a fresh schema per test, dropped after, per completion mode. */

import type { OutboxStore } from '@tidings/core';
import { runOutboxStoreContract } from '@tidings/testing';
import { createTestPool, dropSchema, uniqueSchema } from '../test/fresh-schema.ts';
import type { PgTx } from './options.ts';
import { createPostgresOutboxStore } from './postgres-outbox-store.ts';

// 'delete' forgets done deliveries by design, which the contract's audit checks read back.
for (const completion of ['archive', 'keep'] as const) {
  runOutboxStoreContract<PgTx>(`postgres (completion: ${completion})`, async ({ clock }) => {
    const schema = uniqueSchema();
    const pools = [createTestPool()];
    const store = createPostgresOutboxStore({ pool: pools[0]!, schema, clock, completion });
    await store.migrate();
    const peers: OutboxStore<PgTx>[] = [];
    return {
      store,
      claimsRuns: true,
      async peer() {
        const pool = createTestPool();
        pools.push(pool);
        const peer = createPostgresOutboxStore({ pool, schema, clock, completion });
        peers.push(peer);
        return peer;
      },
      async close() {
        await Promise.all([store, ...peers].map((s) => s.close()));
        await Promise.all(pools.map((pool) => pool.end()));
        await dropSchema(schema);
      },
    };
  });
}
