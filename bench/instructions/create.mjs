/**
 * Instruction counts of event creation against zod's own parse, which do not depend on
 * what else the machine runs (wall-clock ratios swing on a shared machine). After
 * `npm run build`, for each mode:
 *
 *   valgrind --tool=callgrind --callgrind-out-file=/dev/null node bench/instructions/create.mjs <mode> 50000
 *
 * with mode `none` (startup and warm-up only), `parse` and `create`; per call it is
 * (Collected(mode) − Collected(none)) / 50000. Both paths get the same warm-up, so the JIT
 * state matches.
 */
import { z } from 'zod';
import { defineEvent } from '../../packages/core/dist/index.js';

const schema = z.object({
  orderId: z.string().min(1),
  email: z.email(),
  lines: z.array(
    z.object({ sku: z.string(), quantity: z.number().int().positive(), priceCents: z.number().int() }),
  ),
  totalCents: z.number().int().nonnegative(),
});
const payload = {
  orderId: 'o-1',
  email: 'ada@example.com',
  lines: [
    { sku: 'keyboard', quantity: 1, priceCents: 8900 },
    { sku: 'cable', quantity: 2, priceCents: 650 },
  ],
  totalCents: 10200,
};
const OrderPlaced = defineEvent('bench.OrderPlaced', { schema });
const [mode, count] = [process.argv[2], Number(process.argv[3] ?? 0)];
const subject = { type: 'Order', id: 'o-1', sequence: 1 };
let sink;
for (let i = 0; i < 20_000; i++) {
  sink = schema.parse(payload);
  sink = OrderPlaced.create(payload, { subject });
}
if (mode === 'parse') for (let i = 0; i < count; i++) sink = schema.parse(payload);
if (mode === 'create') for (let i = 0; i < count; i++) sink = OrderPlaced.create(payload, { subject });
export const keep = () => sink;
