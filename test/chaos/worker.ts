/**
 * One process of the chaos run, by role: `producer <outbox> <events> <subjects>` appends
 * and exits; `relay <outbox> <broker> <run>` publishes the outbox to the broker; `consumer
 * <inbox> <broker> <run>` handles them with the effect and the inbox record in one
 * transaction. Relays and consumers run until killed; each prints `ready` once it runs (the
 * consumer adds its transport's declared features). Start-up is retried while a server
 * restarts; errors are logged rate-limited to stderr.
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
import { openBroker } from './brokers.ts';
import { produce } from './producer.ts';
import { rateLimitedLog, retrying } from './rate-limited-log.ts';

const [role, target, ...rest] = process.argv.slice(2) as [string, string, ...string[]];
// The runner holds our stdin open; when it goes away, so do we (no orphans), whatever the role.
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
const log = rateLimitedLog(role);
const db = await retrying(() => openCrashDb(target), log);

if (role === 'producer') {
  const [events, subjects] = rest.map(Number) as [number, number];
  await produce(db, events, subjects, log);
  await db.close();
  process.exit(0);
}

const transport = await retrying(() => openBroker(rest[0] as string, rest[1] as string, log), log);
if (role === 'relay') {
  const outbox = createOutbox({ store: db.store, routes: [{ name: 'broker' }] });
  createOutboxRelay(outbox, {
    transports: { broker: transport },
    leaseMs: 3_000,
    pollIntervalMs: 50,
    onError: log,
  }).start();
  process.stdout.write('ready\n');
} else {
  const deadLetters: DeadLetterSink = {
    async put(record) {
      process.stdout.write(`dead ${JSON.stringify(record.reason)}\n`);
    },
  };
  const consumer = createConsumer({
    transport,
    catalog: createCatalog([Ticked]),
    handlers: [effectHandler(db)],
    inbox: db.store,
    deadLetters,
    concurrency: 8,
  });
  await retrying(() => consumer.start(), log);
  process.stdout.write(`ready ${JSON.stringify(transport.features)}\n`);
}
