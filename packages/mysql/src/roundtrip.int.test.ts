/** Property: any JSON payload and string metadata read back exactly, key order included. */
import fc from 'fast-check';
import { expect, it, onTestFinished } from 'vitest';
import { createTestPool, dropTables, noted, uniquePrefix } from '../test/fresh-tables.ts';
import { createMysqlOutboxStore } from './mysql-outbox-store.ts';

it('reads back every appended event exactly as written', async () => {
  const tablePrefix = uniquePrefix();
  const pool = createTestPool(2);
  const store = createMysqlOutboxStore({ pool, tablePrefix });
  onTestFinished(async () => {
    await store.close();
    await pool.end();
    await dropTables(tablePrefix);
  });
  await fc.assert(
    fc.asyncProperty(
      fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue()),
      fc.dictionary(fc.string(), fc.string({ unit: 'binary' })),
      async (payload, metadata) => {
        const event = { ...noted('n-1', payload as Record<string, unknown>), metadata };
        await store.transaction((tx) => store.append(tx, [{ event, consumers: ['c'] }]));
        const stored = await store.event(event.id);
        expect(JSON.stringify(stored?.event)).toBe(JSON.stringify(event));
      },
    ),
    { numRuns: 60 },
  );
});
