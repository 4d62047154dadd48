/**
 * The shop's commands: each saves its state and appends the events it raised in ONE
 * transaction through the outbox.
 */
import { createEventRecorder, type Outbox } from '@tidings/core';
import type { ShopDatabase } from './database.ts';
import { UserRegistered } from './events.ts';
import { Order, type OrderLine } from './order.ts';

export function createShopCommands<Tx>(database: ShopDatabase<Tx>, outbox: Outbox<Tx>) {
  return {
    /** Registers a user (the functional aggregate form). */
    registerUser(user: { id: string; name: string; email: string }) {
      const recorder = createEventRecorder('User', user.id);
      recorder.record(UserRegistered, { userId: user.id, email: user.email, name: user.name });
      return outbox.transaction(async (tx, record) => {
        await database.saveUser(tx, user);
        record(recorder.pullEvents());
      });
    },
    /** Places an order (the class aggregate form). Invalid lines throw a ValidationError. */
    placeOrder(orderId: string, customer: { userId: string; email: string }, lines: readonly OrderLine[]) {
      const order = new Order(orderId);
      order.place(customer, lines);
      return outbox.transaction(async (tx, record) => {
        await database.saveOrder(tx, {
          id: orderId,
          userId: customer.userId,
          totalCents: order.totalCents,
        });
        record(order.pullEvents());
      });
    },
  };
}

export type ShopCommands = ReturnType<typeof createShopCommands>;
