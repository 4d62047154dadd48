import { createCatalog, defineEvent, ValidationError } from '@tidings/core';
import { z } from 'zod';

// Version 2 added the currency; the upcaster lifts version 1 payloads still in storage.
const OrderPlaced = defineEvent('OrderPlaced', {
  schema: z.object({ orderId: z.string(), totalCents: z.number().int(), currency: z.string() }),
  version: 2,
  upcasters: { 1: (payload) => ({ ...(payload as object), currency: 'EUR' }) },
  description: 'A customer placed an order.',
});

const placed = OrderPlaced.create(
  { orderId: 'o-1', totalCents: 4200, currency: 'USD' },
  { subject: { type: 'Order', id: 'o-1' }, metadata: { tenant: 'acme' } },
);
console.log(placed.type, placed.version, Object.isFrozen(placed.payload));

// An envelope as it arrives from a broker or the audit log, written by an older producer.
const catalog = createCatalog([OrderPlaced]);
const old = catalog.decode({ ...placed, version: 1, payload: { orderId: 'o-0', totalCents: 990 } });
if (OrderPlaced.is(old)) console.log(old.version, old.payload.currency);

try {
  OrderPlaced.create({ orderId: 'o-2', totalCents: 9.99, currency: 'EUR' });
} catch (error) {
  if (ValidationError.is(error)) console.log(error.issues.map((issue) => issue.path));
}
