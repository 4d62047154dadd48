/** The shared OutboxStore contract, against a fresh SQLite file per test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutboxStore } from '@tidings/core';
import { runOutboxStoreContract } from '@tidings/testing';
import type { SqliteTx } from './options.ts';
import { createSqliteOutboxStore } from './sqlite-store.ts';

runOutboxStoreContract<SqliteTx>('sqlite', async ({ clock }) => {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-sqlite-contract-'));
  const filename = join(dir, 'outbox.db');
  const store = createSqliteOutboxStore({ filename, clock });
  const peers: OutboxStore<SqliteTx>[] = [];
  return {
    store,
    claimsRuns: true,
    async peer() {
      const peer = createSqliteOutboxStore({ filename, clock });
      peers.push(peer);
      return peer;
    },
    async close() {
      await Promise.all([store.close(), ...peers.map((peer) => peer.close())]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
