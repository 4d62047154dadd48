/**
 * Latency at a steady rate (1k events/s, 200/s on the SNS/SQS emulator):
 * Tidings from the start of the committing SQLite transaction, through the running relay
 * (woken by the append) and the broker, to a durable handler run by `createConsumer` on
 * another connection; against the raw client from publish to its consume loop.
 */
import { performance } from 'node:perf_hooks';
import {
  type Consumer,
  createConsumer,
  createMemoryDeadLetterSink,
  createOutbox,
  createOutboxRelay,
  durableHandler,
  type OutboxRelay,
} from '@tidings/core';
import { type Benchmark, defineBenchmark } from '../registry.ts';
import { benchEvents, benchMessages, catalog, Ticked, waitUntil } from './fixture.ts';
import { headerOf, paced } from './pacing.ts';
import type { BrokerPeer, BrokerSession, RawSubscription } from './peer.ts';
import { type BenchStore, createBenchStore } from './stores.ts';

const group = (peer: BrokerPeer) => `latency ${rateOf(peer)}/s: ${peer.label}`;
const rawName = (peer: BrokerPeer) => `brokers/${peer.id}/latency/raw`;
const rateOf = (peer: BrokerPeer) => (peer.slow ? 200 : 1000);
const sizeOf = (peer: BrokerPeer) => {
  const rate = rateOf(peer);
  return { full: rate * 3, quick: rate / 2, smoke: 5 };
};

interface Probe {
  readonly sentAt: Map<string, number>;
  latencies: number[];
}

const newProbe = (): Probe => ({ sentAt: new Map(), latencies: [] });

function arrived(probe: Probe, id: string | undefined): void {
  const sent = id === undefined ? undefined : probe.sentAt.get(id);
  if (sent !== undefined) probe.latencies.push(performance.now() - sent);
}

interface RawState {
  readonly session: BrokerSession;
  readonly subscription: RawSubscription;
  readonly probe: Probe;
}

function rawLatency(peer: BrokerPeer): Benchmark {
  return defineBenchmark<RawState>({
    name: rawName(peer),
    group: group(peer),
    size: sizeOf(peer),
    note: 'Raw client: publish (durable acceptance not awaited before the next) → raw consume loop on another connection.',
    async setup() {
      const session = await peer.open();
      const probe = newProbe();
      const subscription = await session.rawSubscribe('latency', (m) =>
        arrived(probe, headerOf(m.headers, 'ce-id')),
      );
      return { session, subscription, probe };
    },
    async run(state, n) {
      state.probe.latencies = [];
      const messages = benchMessages(n);
      const published: Promise<void>[] = [];
      await paced(n, rateOf(peer), (i) => {
        const message = messages[i]!;
        state.probe.sentAt.set(message.id, performance.now());
        published.push(state.session.rawPublish([message]));
      });
      await Promise.all(published);
      await waitUntil(() => state.probe.latencies.length >= n, `raw consumer received ${n} messages`);
      return { ops: n, latenciesMs: state.probe.latencies };
    },
    versions: (state) => state.session.versions(),
    async teardown(state) {
      await state.subscription.close();
      await state.session.close();
    },
  });
}

interface TidingsState {
  readonly session: BrokerSession;
  readonly store: BenchStore;
  readonly outbox: ReturnType<typeof createOutbox>;
  readonly relay: OutboxRelay;
  readonly consumer: Consumer;
  readonly probe: Probe;
}

function tidingsLatency(peer: BrokerPeer, checkpoint: 'background' | 'inline'): Benchmark {
  return defineBenchmark<TidingsState>({
    name: `brokers/${peer.id}/latency/${checkpoint === 'background' ? 'tidings' : 'tidings-inline-checkpoint'}`,
    group: group(peer),
    anchor: rawName(peer),
    size: sizeOf(peer),
    isolate: true,
    note:
      checkpoint === 'background'
        ? 'Tidings: one event per SQLite transaction → running relay → broker → createConsumer (another connection, same process) → no-op durable handler; WAL checkpoints in the store’s worker thread (the default).'
        : "The same with `checkpoint: 'inline'`: SQLite’s automatic checkpoint runs in the committing call, on the event loop.",
    async setup() {
      const session = await peer.open();
      const store = await createBenchStore('sqlite', { checkpoint });
      const outbox = createOutbox({ store: store.store, routes: [{ name: 'broker' }] });
      const relay = createOutboxRelay(outbox, { transports: { broker: await session.createTransport() } });
      const probe = newProbe();
      const handler = durableHandler('bench-latency', Ticked, (event) => arrived(probe, event.id));
      const consumer = createConsumer({
        transport: await session.createTransport(),
        catalog,
        handlers: [handler],
        deadLetters: createMemoryDeadLetterSink(),
      });
      await consumer.start();
      relay.start();
      return { session, store, outbox, relay, consumer, probe };
    },
    async run(state, n) {
      state.probe.latencies = [];
      const events = benchEvents(n);
      await paced(n, rateOf(peer), async (i) => {
        const event = events[i]!;
        state.probe.sentAt.set(event.id, performance.now());
        await state.outbox.transaction((_tx, record) => record(event));
      });
      await waitUntil(() => state.probe.latencies.length >= n, `handler saw ${n} events`);
      return { ops: n, latenciesMs: state.probe.latencies };
    },
    versions: (state) => state.session.versions(),
    async teardown(state) {
      await state.relay.close();
      await state.consumer.close();
      await state.session.close();
      await state.store.remove();
    },
  });
}

export function latencyBenchmarks(peer: BrokerPeer): Benchmark[] {
  return [rawLatency(peer), tidingsLatency(peer, 'background'), tidingsLatency(peer, 'inline')];
}
