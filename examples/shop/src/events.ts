/** The shop's events: what the business says happened. */
import { createCatalog, defineEvent } from '@tidings/core';
import { z } from 'zod';

export const UserRegistered = defineEvent('shop.UserRegistered', {
  description: 'A customer created an account.',
  schema: z.object({ userId: z.string().min(1), email: z.email(), name: z.string().min(1) }),
});

export const OrderPlaced = defineEvent('shop.OrderPlaced', {
  description: 'A customer placed an order; the total is in cents.',
  version: 2,
  schema: z.object({
    orderId: z.string().min(1),
    userId: z.string().min(1),
    email: z.email(),
    lines: z
      .array(
        z.object({
          sku: z.string().min(1),
          quantity: z.number().int().positive(),
          priceCents: z.number().int().nonnegative(),
        }),
      )
      .min(1),
    totalCents: z.number().int().nonnegative(),
  }),
  // Version 1 carried the total as a decimal amount; version 2 counts cents.
  upcasters: {
    1: (p) => ({ ...(p as object), totalCents: Math.round((p as { total: number }).total * 100) }),
  },
});

export const OrderConfirmationSent = defineEvent('shop.OrderConfirmationSent', {
  description: 'The order confirmation e-mail went out.',
  schema: z.object({ orderId: z.string(), to: z.email(), file: z.string() }),
});

export const catalog = createCatalog([UserRegistered, OrderPlaced, OrderConfirmationSent]);
