/**
 * The orders service: registers users and places orders, committing their events to its
 * own outbox (SQLite by default), and relays them to the broker. It knows nothing of who
 * listens. Exits once every event was confirmed by the broker.
 */
import { createOutbox, createOutboxRelay, toTransportMessage } from '@tidings/core';
import { createShopCommands } from '../commands.ts';
import { openShopDatabase } from '../database.ts';
import { OrderPlaced } from '../events.ts';
import { playStory } from '../story.ts';
import { brokerName, connectBroker } from './broker.ts';

const samplePayload = {
  orderId: 'o-0',
  userId: 'u-0',
  email: 'nobody@example.com',
  lines: [{ sku: 'x', quantity: 1, priceCents: 1 }],
  totalCents: 1,
};
const broker = brokerName();
const transport = await connectBroker(broker, 'orders');
const database = await openShopDatabase({ fresh: true });
const outbox = createOutbox({ store: database.store, routes: [{ name: broker }] });
const relay = createOutboxRelay(outbox, { transports: { [broker]: transport }, pollIntervalMs: 100 });
relay.start();

// One poison message first, straight onto the broker as a buggy producer might send it:
// the consumers must dead-letter it with the reason and keep going.
const sample = toTransportMessage(OrderPlaced.create(samplePayload));
await transport.publish([
  {
    ...sample,
    id: 'poison-1',
    headers: { ...sample.headers, 'ce-id': 'poison-1' },
    body: new TextEncoder().encode('{"orderId": "o-0", "lines": ['),
  },
]);
console.log('[orders] sent one undecodable message to show dead-lettering');

await playStory(createShopCommands(database, outbox), (line) => console.log(`[orders] ${line}`));
while ((await database.store.stats()).some((s) => s.pending > 0)) await new Promise((r) => setTimeout(r, 50));
console.log(`[orders] every event confirmed by ${broker}`);
await relay.close();
await transport.close();
await database.close();
