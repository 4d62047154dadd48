/**
 * The scripted story both `npm start` and the orders service play: three users, three
 * orders (one meets a busy mail server, one a bouncing address) and one invalid order that
 * is rejected before anything is saved.
 */
import { ValidationError } from '@tidings/core';
import type { ShopCommands } from './commands.ts';

export const storyUsers = [
  { id: 'u-ada', name: 'Ada', email: 'ada@example.com' },
  { id: 'u-grace', name: 'Grace', email: 'grace@example.com' },
  { id: 'u-linus', name: 'Linus', email: 'linus@bounce.invalid' },
] as const;

/** The order whose first e-mail attempt fails (and is retried). */
export const flakyOrders: ReadonlySet<string> = new Set(['o-1002']);

export async function playStory(shop: ShopCommands, log: (line: string) => void): Promise<void> {
  for (const user of storyUsers) await shop.registerUser(user);
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
    log(`⨯ rejected o-1004 before anything was saved: ${error.message}`);
  }
}
