import { ConfigurationError, createMemoryOutboxStore, defineEvent } from '@tidings/core';
import type { OutboxEntry } from '@tidings/core/spi';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { OrmBridge } from './orm-bridge.ts';
import { createOrmOutboxStore } from './orm-outbox-store.ts';
import type { QueryableStore, SqlQueryable } from './stores.ts';

const Noted = defineEvent('Noted', { schema: z.object({ text: z.string() }) });

interface FakeTx {
  readonly open: boolean;
  readonly statements: string[];
}

/** A store that records what it was handed, over the memory store's queue. */
function recordingStore() {
  const handed: unknown[] = [];
  const memory = createMemoryOutboxStore();
  const store = {
    ...memory,
    async append(tx: SqlQueryable, _entries: readonly OutboxEntry[]) {
      handed.push(tx);
      await tx.query('INSERT INTO events …', []);
    },
    async markProcessed(tx: SqlQueryable) {
      const { rowCount } = await tx.query('INSERT INTO inbox …', []);
      return rowCount === 1;
    },
  } as unknown as QueryableStore;
  return { store, handed };
}

const bridge: OrmBridge<FakeTx> = {
  orm: 'FakeORM',
  expected: 'the tx of orm.transaction(…)',
  transaction: (work) => work({ open: true, statements: [] }),
  inTransaction: (handle): handle is FakeTx => (handle as FakeTx | null)?.open === true,
  query: async (tx, text) => {
    tx.statements.push(text);
    return { rowCount: 1 };
  },
};

describe('the ORM store view', () => {
  it("runs the wrapped store's SQL on the ORM transaction it is handed", async () => {
    const { store } = recordingStore();
    const view = createOrmOutboxStore(store, bridge);
    const tx: FakeTx = { open: true, statements: [] };
    await view.append(tx, [{ event: Noted.create({ text: 'hi' }), consumers: [] }]);
    expect(await view.markProcessed(tx, 'h', 'e-1')).toBe(true);
    expect(tx.statements).toEqual(['INSERT INTO events …', 'INSERT INTO inbox …']);
  });

  it('refuses a handle outside a transaction before the store sees it, naming what to pass', async () => {
    const { store, handed } = recordingStore();
    const view = createOrmOutboxStore(store, bridge);
    const root = { open: false, statements: [] };
    expect(() => view.append(root, [])).toThrow(ConfigurationError);
    expect(() => view.append(root, [])).toThrow(
      /append\(\) needs a FakeORM transaction.*never commit on its own.*Pass the tx of orm\.transaction/,
    );
    expect(() => view.markProcessed(root, 'h', 'e-1')).toThrow(
      /markProcessed\(\) needs a FakeORM transaction/,
    );
    expect(handed).toEqual([]);
  });

  it('hands claims and audit queries to the wrapped store, and keeps its wake-ups', async () => {
    const { store } = recordingStore();
    const view = createOrmOutboxStore(store, bridge);
    expect(await view.stats()).toEqual([]);
    expect(typeof view.onAppend).toBe('function');
    const { onAppend: _, ...silent } = store;
    expect(createOrmOutboxStore(silent as QueryableStore, bridge).onAppend).toBeUndefined();
  });

  it('delegates members the port may gain later, bound to the store, also from a class instance', async () => {
    class ClassStore {
      readonly pruned: number[] = [];
      async compactLater(before: number) {
        this.pruned.push(before);
        return 0;
      }
    }
    const store = Object.assign(new ClassStore(), recordingStore().store);
    const view = createOrmOutboxStore(store as unknown as QueryableStore, bridge) as unknown as ClassStore;
    await view.compactLater(42);
    expect(store.pruned).toEqual([42]);
  });

  it('refuses a store it cannot run SQL on when the ORM gives no SQL executor', () => {
    const { query: _, ...sqliteOnly } = bridge;
    expect(() => createOrmOutboxStore(recordingStore().store, sqliteOnly)).toThrow(
      /only on a SQLite outbox store/,
    );
  });
});
