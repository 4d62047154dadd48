/**
 * The notifications & analytics service: consumes the orders service's events from the
 * broker and runs the same durable handlers as the single-process shop — the e-mail and the
 * dashboard — with the inbox in its own database, so a redelivered message has no second
 * effect. Poison and exhausted messages are kept in that database with the reason
 * (`storeDeadLetterSink`), where `tidings dead-letters` lists them and `tidings redrive`
 * sends them back. With --once it exits after the story's outcome is reached.
 */
import { readdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type AnyDomainEvent,
  createConsumer,
  createOutbox,
  type DeadLetterSink,
  type Handler,
  storeDeadLetterSink,
} from '@tidings/core';
import { openShopDatabase } from '../database.ts';
import { catalog } from '../events.ts';
import { createShopHandlers, money } from '../handlers.ts';
import { flakyOrders, storyUsers } from '../story.ts';
import { type HandlerCounts, observeHandlers } from '../view.ts';
import { brokerName, brokerSettings, connectBroker } from './broker.ts';

const { values } = parseArgs({ options: { once: { type: 'boolean', default: false } } });
const log = (line: string) => console.log(`[notifications] ${line}`);
const broker = brokerName();
const transport = await connectBroker(broker, 'notifications');
const database = await openShopDatabase({ fresh: true });
const mailDir = resolve(process.env.SHOP_MAIL_DIR ?? '.data/mail');
await rm(mailDir, { recursive: true, force: true });

let deadLetters = 0;
// Kept in this service's own store; the spread keeps what makes the consumer run the redrive loop.
const storeDeadLetters = storeDeadLetterSink(database.store);
const sink: DeadLetterSink = {
  ...storeDeadLetters,
  async put(record) {
    await storeDeadLetters.put(record);
    deadLetters += 1;
    log(
      `☠ ${record.handler} gave up on message ${record.message.id} after ${record.attempts} attempt(s): ${record.reason}`,
    );
    // Not awaited: put runs inside a handler, and check may close the consumer, which waits
    // for that very handler to finish.
    setImmediate(() => void check());
  },
};
const counts: HandlerCounts = { ran: 0, failed: 0 };
const observe = observeHandlers(log, counts);
const handlers = createShopHandlers({
  database,
  mailDir,
  flakyOnce: flakyOrders,
  observe: <E extends AnyDomainEvent>(next: Handler<E>): Handler<E> => {
    const observed = observe(next);
    return async (event, context) => {
      await observed(event, context);
      setImmediate(() => void check());
    };
  },
});
// Follow-up events (OrderConfirmationSent) are recorded in this service's own outbox.
const outbox = createOutbox({ store: database.store });
const consumer = createConsumer({
  transport,
  catalog,
  handlers,
  inbox: database.store,
  outbox,
  deadLetters: sink,
  groupPrefix: brokerSettings().groupPrefix,
});
await consumer.start();
console.log('ready');
log(`consuming from ${broker}; inbox and dashboard in ${database.location}`);

let finished = false;
async function check() {
  if (finished) return;
  const dashboard = await database.readDashboard();
  const mails = (await readdir(mailDir).catch(() => [] as string[])).filter((f) => f.endsWith('.eml'));
  const done =
    dashboard.orders >= 3 &&
    dashboard.registrations >= storyUsers.length &&
    mails.length >= 2 &&
    // The undecodable message reaches both handlers' groups, and the bounced order is refused:
    // three dead letters. Waiting for fewer printed a count that depended on the broker's timing.
    deadLetters >= 3;
  if (!done || finished) return;
  finished = true;
  log(`e-mails: ${mails.sort().join(', ')}; last handled ${counts.ran} message(s)`);
  console.log(
    `notifications: ${mails.length} e-mails sent, ${deadLetters} dead letter(s), dashboard orders=${dashboard.orders} ` +
      `revenue=${money(dashboard.revenueCents)} registrations=${dashboard.registrations} (via ${broker})`,
  );
  if (values.once) {
    await consumer.close();
    await transport.close();
    await database.close();
    process.exit(0);
  }
}
