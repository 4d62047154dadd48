/**
 * `npm start`: the shop's scripted story on the embedded SQLite store (or PostgreSQL or
 * MySQL / MariaDB when DATABASE_URL is a postgres:// or mysql:// URL), with a live view of every event and handler. `--once` (or
 * SHOP_ONCE=1) exits after the story with a summary line; otherwise the relay keeps
 * running and the local inspector serves the story until Ctrl-C.
 */
import { readdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createEventBus, createOutbox, createOutboxRelay } from '@tidings/core';
import { startInspector } from '@tidings/inspector';
import { createShopCommands } from './commands.ts';
import { openShopDatabase } from './database.ts';
import { catalog } from './events.ts';
import { createShopHandlers, money } from './handlers.ts';
import { flakyOrders, playStory, storyUsers } from './story.ts';
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
    flakyOnce: flakyOrders,
  }),
});
const relay = createOutboxRelay(outbox, { catalog, pollIntervalMs: 100 });
relay.start();
const shop = createShopCommands(database, outbox);

log(paint('bold', `Tidings shop — ${database.kind} at ${database.location}`));
await playStory(shop, (line) => log(paint('red', line)));

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
  `shop: ${storyUsers.length} users registered, ${dashboard.orders} orders placed, ${mails.length} e-mails sent, ` +
    `${dead.length} dead letter(s), dashboard orders=${dashboard.orders} revenue=${money(dashboard.revenueCents)} registrations=${dashboard.registrations}`,
);

if (once) {
  await relay.close();
  await database.close();
} else {
  // The inspector shows the story: the timeline, an order's causation graph, the dead letter.
  const inspector = await startInspector({
    store: database.store,
    catalog,
    allowRedrive: true,
    port: Number(process.env.INSPECTOR_PORT ?? 0),
    storeLabel: database.location,
  });
  log('');
  log(`${paint('bold', 'Inspector:')} ${inspector.url}`);
  log(paint('dim', '  (timeline, causation graph of an order, the dead letter with one-click redrive)'));
  log(paint('dim', 'The relay keeps running; press Ctrl-C to stop.'));
  process.once('SIGINT', async () => {
    await inspector.close();
    await relay.close();
    await database.close();
    process.exit(0);
  });
}
