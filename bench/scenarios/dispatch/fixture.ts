/**
 * What every dispatch benchmark shares: one frozen event created once, the handler counts,
 * the group names, and a counter the handlers bump so no engine can drop the work.
 */
import { defineEvent } from '@tidings/core';
import { z } from 'zod';

export const OrderPlaced = defineEvent('OrderPlaced', {
  schema: z.object({ orderId: z.string(), total: z.number() }),
});

export const event = OrderPlaced.create({ orderId: 'o-1', total: 42 });

export const OrderShipped = defineEvent('OrderShipped', {
  schema: z.object({ orderId: z.string(), total: z.number() }),
});

/** Two event types taken in turn: what a real service's bus sees, not bursts of one type. */
export const alternating = [event, OrderShipped.create({ orderId: 'o-1', total: 42 })] as const;

export const handlerCounts = [1, 10] as const;
export type HandlerCount = (typeof handlerCounts)[number];

export const syncGroup = (handlers: HandlerCount) =>
  `dispatch: sync, ${handlers} handler${handlers > 1 ? 's' : ''}`;
export const alternatingGroup = (handlers: HandlerCount) =>
  `dispatch: sync, ${handlers} handler${handlers > 1 ? 's' : ''} per type, two types alternating`;
export const asyncGroup = (handlers: HandlerCount) =>
  `dispatch: async, ${handlers} handler${handlers > 1 ? 's' : ''}`;

/** Handlers add to this so the dispatched calls have an observable effect. */
export const counter = { calls: 0 };

export function syncHandler(): void {
  counter.calls++;
}

export async function asyncHandler(): Promise<void> {
  counter.calls++;
}

/** Events per timed run; a slow engine gets fewer so a round stays around a second. */
export const size = (full: number) => ({ full, quick: Math.max(1, Math.round(full / 10)), smoke: 3 });
