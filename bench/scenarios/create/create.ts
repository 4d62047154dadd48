/**
 * Event creation: `defineEvent(...).create(payload)` (validation, envelope, UUIDv7, deep
 * freeze) against the same zod schema's `parse` alone, which is the floor any validated
 * event must pay.
 */
import { defineEvent } from '@tidings/core';
import { z } from 'zod';
import { defineBenchmark } from '../../registry.ts';

const schema = z.object({
  orderId: z.string().min(1),
  email: z.email(),
  lines: z.array(
    z.object({ sku: z.string(), quantity: z.number().int().positive(), priceCents: z.number().int() }),
  ),
  totalCents: z.number().int().nonnegative(),
});
const OrderPlaced = defineEvent('bench.OrderPlaced', { schema });
const payload = {
  orderId: 'o-1',
  email: 'ada@example.com',
  lines: [
    { sku: 'keyboard', quantity: 1, priceCents: 8900 },
    { sku: 'cable', quantity: 2, priceCents: 650 },
  ],
  totalCents: 10200,
};
const group = 'create: event with zod validation';
const size = { full: 200_000, quick: 20_000, smoke: 3 };
let sink: unknown;

export const createBenchmarks = [
  defineBenchmark({
    name: 'create/zod-parse',
    group,
    note: '`schema.parse(payload)` of zod 4 alone',
    size,
    setup: () => undefined,
    run(_state, iterations) {
      for (let i = 0; i < iterations; i++) sink = schema.parse(payload);
      return iterations;
    },
  }),
  defineBenchmark({
    name: 'create/tidings',
    group,
    anchor: 'create/zod-parse',
    note: '`OrderPlaced.create(payload, { subject })`: validate, envelope, UUIDv7, deep freeze',
    size,
    setup: () => undefined,
    run(_state, iterations) {
      for (let i = 0; i < iterations; i++) {
        sink = OrderPlaced.create(payload, { subject: { type: 'Order', id: 'o-1', sequence: i + 1 } });
      }
      return iterations;
    },
  }),
];

/** Keeps the results alive so the engine cannot drop the work. */
export const keep = () => sink;
