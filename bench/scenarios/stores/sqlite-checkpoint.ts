/**
 * What a WAL checkpoint on the event loop costs: one event per transaction at 1,000/s (the
 * latency benchmarks' producer), the store with `checkpoint: 'inline'` (SQLite's automatic
 * checkpoint inside the commit that fills the WAL) and `'background'` (the default: a worker
 * thread checkpoints). It prints the transaction time's p50, p99, p99.9 and max and the
 * event loop's delay p99 and max for each mode, twice, alternating. Not part of `npm run
 * bench` (no anchor, no target); after `npm run build`, run it by hand:
 *
 *   node --import tsx bench/scenarios/stores/sqlite-checkpoint.ts [events]
 *
 * Then the store's cost per event without a relay or broker: append, claim and settle of one
 * event, in series, µs each (the work a relay does per event at a low rate).
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { benchEvents } from '../../brokers/fixture.ts';
import { createBenchStore } from '../../brokers/stores.ts';

const events = Number(process.argv[2] ?? 6000);
const consumer = 'relay:broker';

async function paced(mode: 'inline' | 'background'): Promise<string> {
  const store = await createBenchStore('sqlite', { checkpoint: mode });
  const all = benchEvents(events);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const times: number[] = [];
  const start = performance.now();
  for (const [i, event] of all.entries()) {
    const wait = start + i - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const at = performance.now();
    await store.store.transaction((tx) => store.store.append(tx, [{ event, consumers: [consumer] }]));
    times.push(performance.now() - at);
  }
  delay.disable();
  await store.remove();
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.floor(p * (times.length - 1))]?.toFixed(2);
  const ms = (ns: number) => (ns / 1e6).toFixed(2);
  return `${mode.padEnd(10)} transaction ms p50 ${q(0.5)} p99 ${q(0.99)} p99.9 ${q(0.999)} max ${q(1)} | event-loop delay ms p99 ${ms(delay.percentile(99))} max ${ms(delay.max)}`;
}

for (let round = 0; round < 2; round++) {
  for (const mode of ['inline', 'background'] as const) console.log(await paced(mode));
}

const store = await createBenchStore('sqlite');
const spent = { append: 0, claim: 0, settle: 0 };
const serial = benchEvents(3000);
for (const event of serial) {
  let at = performance.now();
  await store.store.transaction((tx) => store.store.append(tx, [{ event, consumers: [consumer] }]));
  spent.append += performance.now() - at;
  at = performance.now();
  const batch = await store.store.claim({ consumers: [consumer], limit: 500, leaseMs: 30_000, owner: 'r' });
  spent.claim += performance.now() - at;
  at = performance.now();
  await store.store.settle(
    batch.map((d) => ({ eventId: d.event.id, consumer: d.consumer, owner: 'r', outcome: 'done' as const })),
  );
  spent.settle += performance.now() - at;
}
await store.remove();
console.log(
  `one event at a time, µs: ${Object.entries(spent)
    .map(([part, ms]) => `${part} ${((ms * 1000) / serial.length).toFixed(0)}`)
    .join(', ')}`,
);
