/**
 * One process of the chaos run, by role: `producer <outbox> <events> <subjects>` appends
 * and exits; `relay <outbox> <broker> <run>` publishes the outbox to the broker; `consumer
 * <inbox> <broker> <run>` handles them with the effect and the inbox record in one transaction.
 * Relays and consumers run until killed; each prints `ready` once it runs.
 */
import {
  createCatalog,
  createConsumer,
  createOutbox,
  createOutboxRelay,
  type DeadLetterSink,
} from '@tidings/core';
import { effectHandler, Ticked } from '../crash/crash-app.ts';
import { openCrashDb } from '../crash/crash-db.ts';
import { brokerNamed } from './brokers.ts';

const [role, target, ...rest] = process.argv.slice(2) as [string, string, ...string[]];
const quiet = () => undefined;
const db = await openCrashDb(target);

if (role === 'producer') {
  const [events, subjects] = rest.map(Number) as [number, number];
  const outbox = createOutbox({ store: db.store, routes: [{ name: 'broker' }] });
  const sequences = new Array<number>(subjects).fill(0);
  // Single events and batches of up to 50 per transaction, as an application would.
  for (let sent = 0; sent < events; ) {
    const size = Math.min(events - sent, sent % 3 === 0 ? 1 : 50);
    const batch = Array.from({ length: size }, (_, i) => {
      const s = (sent + i) % subjects;
      sequences[s] = (sequences[s] ?? 0) + 1;
      return Ticked.create(
        { n: sent + i },
        { subject: { type: 'Clock', id: `c-${s}`, sequence: sequences[s] } },
      );
    });
    await outbox.transaction((_tx, record) => record(batch));
    sent += size;
  }
  await db.close();
  process.exit(0);
}

const transport = await brokerNamed(rest[0] as string).open(rest[1] as string);
if (role === 'relay') {
  const outbox = createOutbox({ store: db.store, routes: [{ name: 'broker' }] });
  createOutboxRelay(outbox, {
    transports: { broker: transport },
    leaseMs: 3_000,
    pollIntervalMs: 50,
    onError: quiet,
  }).start();
} else {
  const deadLetters: DeadLetterSink = {
    async put(record) {
      process.stdout.write(`dead ${JSON.stringify(record.reason)}\n`);
    },
  };
  await createConsumer({
    transport,
    catalog: createCatalog([Ticked]),
    handlers: [effectHandler(db)],
    inbox: db.store,
    deadLetters,
    concurrency: 8,
  }).start();
}
process.stdout.write('ready\n');
// The runner holds our stdin open; when it goes away, so do we (no orphans).
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
