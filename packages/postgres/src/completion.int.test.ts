/**
 * Completion modes: where a done delivery goes, what the claim table keeps, and what the
 * audit log still answers about it.
 */
import type { Delivery } from '@tidings/core/spi';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTestPool, dropSchema, noted, uniqueSchema } from '../test/fresh-schema.ts';
import type { CompletionMode } from './options.ts';
import { createPostgresOutboxStore } from './postgres-outbox-store.ts';

async function deliveredOnce(completion: CompletionMode) {
  const schema = uniqueSchema();
  const pool = createTestPool();
  const store = createPostgresOutboxStore({ pool, schema, completion });
  onTestFinished(async () => {
    await store.close();
    await pool.end();
    await dropSchema(schema);
  });
  const [done, failed] = [noted('n-1'), noted('n-2')];
  await store.transaction((tx) =>
    store.append(tx, [
      { event: done, consumers: ['c'] },
      { event: failed, consumers: ['c'] },
    ]),
  );
  const claimed = (await store.claim({
    consumers: ['c'],
    limit: 10,
    leaseMs: 60_000,
    owner: 'r',
  })) as Delivery[];
  const ref = (d: Delivery) => ({ eventId: d.event.id, consumer: d.consumer, owner: d.owner });
  await store.settle([
    { ...ref(claimed[0]!), outcome: 'done' },
    { ...ref(claimed[1]!), outcome: 'dead', error: 'poison' },
  ]);
  const count = async (table: string) =>
    Number((await pool.query(`SELECT count(*) AS n FROM "${schema}".${table}`)).rows[0].n);
  return {
    store,
    done,
    failed,
    hot: await count('tidings_deliveries'),
    archived: await count('tidings_deliveries_done'),
  };
}

describe('completion modes', () => {
  it('archive moves done deliveries out of the claim table and still reports them', async () => {
    const { store, done, failed, hot, archived } = await deliveredOnce('archive');
    expect([hot, archived]).toEqual([1, 1]);
    expect(await store.deliveries(done.id)).toMatchObject([{ consumer: 'c', status: 'done', attempts: 0 }]);
    expect(await store.deliveries(failed.id)).toMatchObject([{ status: 'dead', lastError: 'poison' }]);
    expect(await store.stats()).toMatchObject([{ consumer: 'c', pending: 0, done: 1, dead: 1 }]);
    // Settling the same done delivery again (a stale relay) changes nothing.
    await store.settle([{ eventId: done.id, consumer: 'c', owner: 'stale', outcome: 'done' }]);
    expect(await store.stats()).toMatchObject([{ done: 1 }]);
    expect(await store.prune(Date.now() + 1_000)).toBe(1);
    expect(await store.deliveries(done.id)).toEqual([]);
  });

  it('delete forgets done deliveries: only pending and dead ones are listed', async () => {
    const { store, done, failed, hot, archived } = await deliveredOnce('delete');
    expect([hot, archived]).toEqual([1, 0]);
    expect(await store.deliveries(done.id)).toEqual([]);
    expect(await store.event(done.id)).toBeDefined();
    expect(await store.deliveries(failed.id)).toMatchObject([{ status: 'dead' }]);
    expect(await store.stats()).toMatchObject([{ consumer: 'c', pending: 0, done: 0, dead: 1 }]);
  });

  it('keep marks done deliveries in place', async () => {
    const { store, done, hot, archived } = await deliveredOnce('keep');
    expect([hot, archived]).toEqual([2, 0]);
    expect(await store.deliveries(done.id)).toMatchObject([{ status: 'done' }]);
  });

  it('refuses an unknown mode, naming it', () => {
    expect(() =>
      createPostgresOutboxStore({
        connectionString: 'postgres://x@127.0.0.1/x',
        completion: 'drop' as never,
      }),
    ).toThrow(/completion "drop" is not a completion mode/);
  });
});
