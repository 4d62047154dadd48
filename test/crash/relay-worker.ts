/** A relay process for the crash test: runs until it is killed. Argument: the database target. */
import { createOutbox, createOutboxRelay } from '@tidings/core';
import { effectHandler } from './crash-app.ts';
import { openCrashDb } from './crash-db.ts';

const db = await openCrashDb(process.argv[2] as string);
const outbox = createOutbox({ store: db.store, handlers: [effectHandler(db)] });
const relay = createOutboxRelay(outbox, {
  leaseMs: 1500,
  pollIntervalMs: 20,
  batchSize: 200,
  concurrency: 32,
  onError: (error) => {
    if (process.env.CRASH_DEBUG) console.error(error);
  },
});
relay.start();
process.stdout.write('ready\n');
// The test holds our stdin open; when it goes away, so do we (no orphan relays).
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
