/**
 * The shop's durable handlers: the acceptance story. An order placed sends a confirmation
 * e-mail (written to a mail folder, then announced as an event); a registered user and a
 * placed order update the analytics dashboard, in the same transaction as the inbox record
 * so a redelivered event never counts twice.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DoNotRetry, type DurableHandlerContext, durableHandler, type Middleware } from '@tidings/core';
import type { ShopDatabase } from './database.ts';
import { OrderConfirmationSent, OrderPlaced, UserRegistered } from './events.ts';

export interface ShopHandlerOptions<Tx> {
  readonly database: ShopDatabase<Tx>;
  /** Folder the "sent" e-mails are written to. */
  readonly mailDir: string;
  /** Observes every attempt (the live terminal view uses it). */
  readonly observe?: Middleware;
  /** Retry delay base for the demo (ms). */
  readonly baseDelayMs?: number;
  /** Orders whose first e-mail attempt meets a busy mail server (shows a retry). */
  readonly flakyOnce?: ReadonlySet<string>;
}

/** The durable handlers' names; each is a consumer group on a broker. */
export const shopHandlerNames = ['send-order-confirmation', 'update-analytics-dashboard'] as const;

export function createShopHandlers<Tx>(options: ShopHandlerOptions<Tx>) {
  const middleware = options.observe ? [options.observe] : [];
  const retry = { maxAttempts: 3, baseDelayMs: options.baseDelayMs ?? 50, jitter: 'full' as const };

  const sendOrderConfirmation = durableHandler(
    shopHandlerNames[0],
    OrderPlaced,
    async (event, context) => {
      const { orderId, email, totalCents, lines } = event.payload;
      if (options.flakyOnce?.has(orderId) && context.attempt === 1) {
        throw new Error('421 Mail server busy, try again later.');
      }
      if (email.endsWith('@bounce.invalid')) {
        // The mail server would keep refusing this address: retrying cannot help.
        throw new DoNotRetry(`Mailbox ${email} does not exist (550 5.1.1).`);
      }
      await mkdir(options.mailDir, { recursive: true });
      const file = join(options.mailDir, `${orderId}.eml`);
      const body = [
        `To: ${email}`,
        `Subject: Your order ${orderId} is confirmed`,
        '',
        ...lines.map((l) => `  ${l.quantity} × ${l.sku} at ${money(l.priceCents)}`),
        `Total: ${money(totalCents)}`,
        '',
      ].join('\n');
      await writeFile(file, body);
      await context.publish(
        OrderConfirmationSent,
        { orderId, to: email, file },
        { subject: { type: 'Order', id: orderId } },
      );
    },
    { retry, middleware },
  );

  // With the inbox, `tx` is the store's transaction: typed by the annotation, no type parameters.
  const updateDashboard = durableHandler(
    shopHandlerNames[1],
    [OrderPlaced, UserRegistered],
    async (event, { tx }: DurableHandlerContext<Tx>) => {
      if (OrderPlaced.is(event))
        await options.database.bumpDashboard(tx, { orders: 1, revenueCents: event.payload.totalCents });
      else await options.database.bumpDashboard(tx, { registrations: 1 });
    },
    { retry, middleware, inbox: true },
  );

  return [sendOrderConfirmation, updateDashboard];
}

export function money(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}
