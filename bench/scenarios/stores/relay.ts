/**
 * Relay throughput from a backlog: `relay.drain()` to a no-op durable handler and to the
 * in-memory transport, against the hand-written claim loop on the same database. And the
 * growth of per-event relay cost with the number of already published rows in the tables.
 * The backlog is appended before each run (not timed); each run empties it.
 */
import { createMemoryTransport, createOutbox, createOutboxRelay, durableHandler } from '@tidings/core';
import { type Benchmark, defineBenchmark } from '../../registry.ts';
import { type DatabaseKind, databaseLabel, openRaw, openStore, type StoreKit } from './backends.ts';
import { consumer, OrderPlaced } from './fixture.ts';

const claimSize = 100;
const onError = (error: unknown) => {
  throw error;
};

function relayTo(kit: StoreKit, target: 'handler' | 'transport') {
  const outbox =
    target === 'handler'
      ? createOutbox({ store: kit.store, handlers: [durableHandler(consumer, OrderPlaced, async () => {})] })
      : createOutbox({ store: kit.store, routes: [{ name: consumer }] });
  const transport = createMemoryTransport();
  const relay = createOutboxRelay(outbox, {
    batchSize: claimSize,
    onError,
    ...(target === 'transport' ? { transports: { [consumer]: transport } } : {}),
  });
  return { kit, relay, transport };
}

const backlog = {
  sqlite: { full: 100_000, quick: 10_000, smoke: 10 },
  postgres: { full: 20_000, quick: 5_000, smoke: 10 },
  mysql: { full: 20_000, quick: 5_000, smoke: 10 },
};

function throughput(kind: DatabaseKind): Benchmark[] {
  const group = `relay throughput: ${databaseLabel[kind]}, ${backlog[kind].full.toLocaleString('en-US')}-event backlog`;
  const raw = `relay/${kind}/raw-claim-loop`;
  const size = backlog[kind];
  const relayBenchmark = (target: 'handler' | 'transport') =>
    defineBenchmark({
      name: `relay/${kind}/tidings-${target}`,
      group,
      anchor: raw,
      note:
        target === 'handler'
          ? '`relay.drain()` to one no-op durable handler (claims of 100, default concurrency 16)'
          : '`relay.drain()` publishing to `createMemoryTransport()` (claims of 100)',
      size,
      setup: async () => relayTo(await openStore(kind), target),
      beforeRun: (s, n) => s.kit.fill(n),
      async run(s, n) {
        await s.relay.drain();
        return n;
      },
      async teardown(s) {
        await s.relay.close();
        await s.transport.close();
        await s.kit.close();
      },
      versions: (s) => s.kit.versions(),
    });
  return [
    defineBenchmark({
      name: raw,
      group,
      note:
        kind === 'sqlite'
          ? 'hand-written loop: BEGIN IMMEDIATE; SELECT … LIMIT 100; UPDATE … done per row; COMMIT'
          : 'hand-written loop: BEGIN; SELECT … LIMIT 100 FOR UPDATE SKIP LOCKED; UPDATE … done; COMMIT',
      size,
      setup: () => openRaw(kind),
      beforeRun: (s, n) => s.fill(n),
      async run(s) {
        let total = 0;
        for (;;) {
          const claimed = await s.claimBatch(claimSize);
          if (claimed === 0) return total;
          total += claimed;
        }
      },
      teardown: (s) => s.close(),
      versions: (s) => s.versions(),
    }),
    relayBenchmark('handler'),
    relayBenchmark('transport'),
  ];
}

/** History sizes per mode: the growth benchmarks compare a small and a large table. */
const history = {
  small: { full: 10_000, quick: 10_000, smoke: 10 },
  large: { full: 1_000_000, quick: 100_000, smoke: 100 },
  huge: { full: 10_000_000, quick: 1_000_000, smoke: 200 },
};
const historyName = { small: '10k', large: '1m', huge: '10m' } as const;

function growth(kind: DatabaseKind): Benchmark[] {
  const group = `relay growth: ${databaseLabel[kind]}, 10,000-event backlog over 10k vs 1M and 10M published rows`;
  const make = (which: keyof typeof history) =>
    defineBenchmark({
      name: `growth/${kind}/${historyName[which]}-history`,
      group,
      ...(which === 'small' ? {} : { anchor: `growth/${kind}/10k-history`, target: { ratio: 0.9 } }),
      note: `relay.drain() to a no-op durable handler over ${history[which].full.toLocaleString('en-US')} done rows (${history[which].quick.toLocaleString('en-US')} with --quick)`,
      size: { full: 10_000, quick: 2_000, smoke: 10 },
      async setup({ mode }) {
        const kit = await openStore(kind);
        await kit.addHistory(history[which][mode]);
        return relayTo(kit, 'handler');
      },
      beforeRun: (s, n) => s.kit.fill(n),
      async run(s, n) {
        await s.relay.drain();
        return n;
      },
      async teardown(s) {
        await s.relay.close();
        await s.transport.close();
        await s.kit.close();
      },
      versions: (s) => s.kit.versions(),
    });
  return [make('small'), make('large'), make('huge')];
}

/** A hot aggregate: the same backlog over 10 subjects, against the same over one subject each. */
function hot(kind: DatabaseKind): Benchmark[] {
  const group = `relay hot aggregates: ${databaseLabel[kind]}, 20,000 events on 10 subjects vs one subject each`;
  const make = (subjects: number | undefined) =>
    defineBenchmark({
      name: `hot/${kind}/${subjects === undefined ? 'spread' : `${subjects}-subjects`}`,
      group,
      ...(subjects === undefined ? {} : { anchor: `hot/${kind}/spread`, target: { ratio: 0.5 } }),
      note: `\`relay.drain()\` publishing to \`createMemoryTransport()\`, ${subjects === undefined ? 'every event its own subject' : `${subjects} subjects`}`,
      size: { full: 20_000, quick: 5_000, smoke: 10 },
      setup: async () => relayTo(await openStore(kind), 'transport'),
      beforeRun: (s, n) => s.kit.fill(n, subjects),
      async run(s, n) {
        await s.relay.drain();
        return n;
      },
      async teardown(s) {
        await s.relay.close();
        await s.transport.close();
        await s.kit.close();
      },
      versions: (s) => s.kit.versions(),
    });
  return [make(undefined), make(10)];
}

export const relayBenchmarks: readonly Benchmark[] = [
  ...hot('sqlite'),
  ...hot('postgres'),
  ...throughput('sqlite'),
  ...throughput('postgres'),
  ...throughput('mysql'),
  ...growth('sqlite'),
  ...growth('postgres'),
];
