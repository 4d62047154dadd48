/**
 * `node --conditions=@tidings/source --import tsx bench/inbox-group-commit.ts [events] [rounds]`
 *
 * A/B of the inbox's group commit: `createConsumer` over the memory transport (no broker
 * in the way), 64 in flight, a no-op `inbox: true` handler, with the store's group commit
 * and with one transaction per run (`groupCommit: { maxRuns: 1 }`), alternating in one
 * process so both see the same machine. Prints events/s per run and grouped ÷ per-run.
 */
import {
  createConsumer,
  createMemoryDeadLetterSink,
  createMemoryTransport,
  durableHandler,
  type Inbox,
} from '@tidings/core';
import { benchMessages, catalog, chunk, Ticked } from './brokers/fixture.ts';
import { createBenchStore, type StoreKind } from './brokers/stores.ts';

const events = Number(process.argv[2] ?? 3000);
const rounds = Number(process.argv[3] ?? 3);

async function consume(kind: StoreKind, grouped: boolean): Promise<number> {
  const transport = createMemoryTransport();
  const bench = await createBenchStore(kind);
  // biome-ignore lint/suspicious/noExplicitAny: the consumer is generic over the transaction type.
  const inbox: Inbox<any> = grouped ? bench.store : { ...bench.store, groupCommit: { maxRuns: 1 } };
  let handled = 0;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const handler = durableHandler(
    'group-commit-bench',
    Ticked,
    () => {
      if (++handled === events) finished();
    },
    { inbox: true },
  );
  const consumer = createConsumer({
    transport,
    catalog,
    handlers: [handler],
    deadLetters: createMemoryDeadLetterSink(),
    inbox,
    concurrency: 64,
  });
  await consumer.start();
  const started = performance.now();
  for (const slice of chunk(benchMessages(events), 1000)) await transport.publish(slice);
  await done;
  const rate = events / ((performance.now() - started) / 1000);
  await consumer.close();
  await bench.remove();
  return rate;
}

for (const kind of ['sqlite', 'postgres'] as const) {
  const ratios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const perRun = await consume(kind, false);
    const grouped = await consume(kind, true);
    ratios.push(grouped / perRun);
    console.log(
      `${kind} round ${round}: per-run ${Math.round(perRun)} events/s, grouped ${Math.round(grouped)} events/s, ×${(grouped / perRun).toFixed(2)}`,
    );
  }
  const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)] ?? 0;
  console.log(`${kind}: grouped ÷ per-run, median of ${rounds}: ×${median.toFixed(2)}`);
}
process.exit(0);
