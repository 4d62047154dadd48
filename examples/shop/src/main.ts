/**
 * `npm start`: the shop's scripted story on the embedded SQLite store (or PostgreSQL when
 * DATABASE_URL is set), with a live view of every event and handler. `--once` (or
 * SHOP_ONCE=1) exits after the story with a summary line; otherwise the relay keeps
 * running until Ctrl-C.
 */
import { readdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createEventBus, createOutbox, createOutboxRelay, ValidationError } from '@tidings/core';
import { createShopCommands } from './commands.ts';
import { openShopDatabase } from './database.ts';
import { catalog } from './events.ts';
import { createShopHandlers, money } from './handlers.ts';
import { describe, type HandlerCounts, observeHandlers, paint } from './view.ts';

const { values } = parseArgs({
  options: { once: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } },
  allowPositionals: true,
});
const once = values.once || process.env.SHOP_ONCE === '1';
const log = (line: string) => console.log(line);

const database = await openShopDatabase({ fresh: !values.keep });
const mailDir = resolve(process.env.SHOP_MAIL_DIR ?? '.data/mail');
if (!values.keep) await rm(mailDir, { recursive: true, force: true });
const counts: HandlerCounts = { ran: 0, failed: 0 };
const bus = createEventBus();
bus.subscribe('live-view', '*', (event) => log(`${paint('yellow', '→')} ${describe(event)} committed`));
const outbox = createOutbox({
  store: database.store,
  bus,
  handlers: createShopHandlers({
    database,
    mailDir,
    observe: observeHandlers(log, counts),
    flakyOnce: new Set(['o-1002']),
  }),
});
const relay = createOutboxRelay(outbox, { catalog, pollIntervalMs: 100 });
relay.start();
const shop = createShopCommands(database, outbox);

log(paint('bold', `Tidings shop — ${database.kind} at ${database.location}`));
const users = [
  { id: 'u-ada', name: 'Ada', email: 'ada@example.com' },
  { id: 'u-grace', name: 'Grace', email: 'grace@example.com' },
  { id: 'u-linus', name: 'Linus', email: 'linus@bounce.invalid' },
];
for (const user of users) await shop.registerUser(user);
await shop.placeOrder('o-1001', { userId: 'u-ada', email: 'ada@example.com' }, [
  { sku: 'keyboard', quantity: 1, priceCents: 8900 },
  { sku: 'cable', quantity: 2, priceCents: 650 },
]);
await shop.placeOrder('o-1002', { userId: 'u-grace', email: 'grace@example.com' }, [
  { sku: 'monitor', quantity: 1, priceCents: 21900 },
]);
await shop.placeOrder('o-1003', { userId: 'u-linus', email: 'linus@bounce.invalid' }, [
  { sku: 'mouse', quantity: 1, priceCents: 2500 },
]);
try {
  await shop.placeOrder('o-1004', { userId: 'u-ada', email: 'ada@example.com' }, [
    { sku: 'desk', quantity: 0, priceCents: 30000 },
  ]);
} catch (error) {
  if (!ValidationError.is(error)) throw error;
  log(`${paint('red', '⨯')} rejected o-1004 before anything was saved: ${error.message}`);
}

// Wait until every durable delivery has finished (done or dead-lettered).
const deadline = Date.now() + 30_000;
for (;;) {
  const stats = await database.store.stats();
  if (stats.every((s) => s.pending === 0)) break;
  if (Date.now() > deadline) throw new Error(`The relay did not finish in 30 s: ${JSON.stringify(stats)}`);
  await new Promise((r) => setTimeout(r, 50));
}

const dashboard = await database.readDashboard();
const mails = (await readdir(mailDir).catch(() => [] as string[])).filter((f) => f.endsWith('.eml')).sort();
const dead = await database.store.deadLetters();
log('');
log(paint('bold', 'E-mails sent') + ` (in ${mailDir}):`);
for (const mail of mails) log(`   ✉ ${mail}`);
log(paint('bold', 'Analytics dashboard:'));
log(
  `   orders ${dashboard.orders}   revenue ${money(dashboard.revenueCents)}   registrations ${dashboard.registrations}`,
);
log(paint('bold', 'Dead letters:'));
for (const letter of dead) log(`   ☠ ${letter.consumer} on ${describe(letter.event)}: ${letter.lastError}`);
log('');
log(
  `shop: ${users.length} users registered, ${dashboard.orders} orders placed, ${mails.length} e-mails sent, ` +
    `${dead.length} dead letter(s), dashboard orders=${dashboard.orders} revenue=${money(dashboard.revenueCents)} registrations=${dashboard.registrations}`,
);

if (once) {
  await relay.close();
  await database.close();
} else {
  log(paint('dim', 'The relay keeps running; press Ctrl-C to stop.'));
  process.once('SIGINT', async () => {
    await relay.close();
    await database.close();
    process.exit(0);
  });
}
