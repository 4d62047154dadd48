/** The event and table the README examples share. */
import { defineEvent } from '@tidings/core';
import { pgTable, text } from 'drizzle-orm/pg-core';
import { z } from 'zod';

export const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string() }) });

export const orders = pgTable('orders', { id: text('id').primaryKey() });
