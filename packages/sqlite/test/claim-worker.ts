/**
 * A relay in another process, for the multi-process test: claims batches from the file
 * named by argv[2] as owner argv[3], completes them, and prints the claimed event ids.
 */
import { createSqliteOutboxStore } from '../src/sqlite-store.ts';

const [filename, owner] = process.argv.slice(2);
if (!filename || !owner) throw new Error('usage: claim-worker <filename> <owner>');
const store = createSqliteOutboxStore({ filename });
const claimed: string[] = [];
console.log('ready');
for (;;) {
  const batch = await store.claim({ consumers: ['c'], limit: 3, leaseMs: 60_000, owner });
  if (batch.length === 0) break;
  claimed.push(...batch.map((d) => d.event.id));
  await store.settle(
    batch.map((d) => ({ eventId: d.event.id, consumer: d.consumer, owner, outcome: 'done' })),
  );
}
await store.close();
console.log(JSON.stringify(claimed));
