/**
 * Consume throughput: a backlog on the broker drained by `createConsumer` with a no-op
 * durable handler (without an inbox, with the SQLite inbox, with the PostgreSQL inbox), against the raw client's
 * consume-and-ack loop. Both subscriptions live for the whole benchmark; their handlers wait
 * at a gate while `beforeRun` publishes, and the timed run opens it and waits for the last.
 */
import {
  type Consumer,
  createConsumer,
  createMemoryDeadLetterSink,
  durableHandler,
  type Subscription,
  type Transport,
} from '@tidings/core';
import { type Benchmark, defineBenchmark } from '../registry.ts';
import { benchMessages, catalog, chunk, Ticked, throughputSize, waitUntil } from './fixture.ts';
import { createGate, type Gate } from './gate.ts';
import type { BrokerPeer, BrokerSession, RawSubscription } from './peer.ts';
import { rawConsumeInbox } from './raw-consume-inbox.ts';
import { type BenchStore, createBenchStore, type StoreKind } from './stores.ts';

const group = (peer: BrokerPeer) => `consume ← ${peer.label}`;
const rawName = (peer: BrokerPeer) => `brokers/${peer.id}/consume/raw`;
/** Handler calls (and unacked messages) in flight: the raw loops use the same window. */
export const consumerConcurrency = 64;

/** What both sides' handlers do: wait while the gate is shut, then count. */
interface Counted {
  gate: Gate;
  handled: number;
}

function count(state: Counted): void | Promise<void> {
  if (state.gate.isOpen) {
    state.handled++;
    return;
  }
  return state.gate.opened.then(() => {
    state.handled++;
  });
}

async function drained(state: Counted, n: number, what: string): Promise<number> {
  state.gate.open();
  await waitUntil(() => state.handled >= n, `${what} handled ${n} messages`);
  return n;
}

interface RawState extends Counted {
  readonly session: BrokerSession;
  readonly subscription: RawSubscription;
}

function rawConsume(peer: BrokerPeer): Benchmark {
  return defineBenchmark<RawState>({
    name: rawName(peer),
    group: group(peer),
    size: throughputSize(peer.slow),
    note: `Raw consume-and-ack loop, ${consumerConcurrency} unacked at most.`,
    async setup() {
      const session = await peer.open();
      const counted: Counted = { gate: createGate(), handled: 0 };
      const subscription = await session.rawSubscribe('bench', () => count(counted));
      return Object.assign(counted, { session, subscription });
    },
    async beforeRun(state, n) {
      state.gate = createGate();
      state.handled = 0;
      await state.session.rawPublish(benchMessages(n));
    },
    run: (state, n) => drained(state, n, 'the raw consumer'),
    versions: (state) => state.session.versions(),
    async teardown(state) {
      state.gate.open();
      await state.subscription.close();
      await state.session.close();
    },
  });
}

interface TransportState extends Counted {
  readonly session: BrokerSession;
  readonly transport: Transport;
  readonly subscription: Subscription;
}

/** The transport's own subscribe loop with a no-op handler: splits adapter cost from the consumer runtime's. */
function transportConsume(peer: BrokerPeer): Benchmark {
  return defineBenchmark<TransportState>({
    name: `brokers/${peer.id}/consume/transport-only`,
    group: group(peer),
    anchor: rawName(peer),
    size: throughputSize(peer.slow),
    note: `Tidings transport.subscribe, concurrency ${consumerConcurrency}, a no-op message handler: no decoding, no consumer runtime.`,
    async setup() {
      const session = await peer.open();
      const transport = await session.createTransport();
      const counted: Counted = { gate: createGate(), handled: 0 };
      const subscription = await transport.subscribe(
        { group: 'bench-transport', topics: [Ticked.type], concurrency: consumerConcurrency },
        async () => count(counted),
      );
      return Object.assign(counted, { session, transport, subscription });
    },
    async beforeRun(state, n) {
      state.gate = createGate();
      state.handled = 0;
      for (const slice of chunk(benchMessages(n), 1000)) await state.transport.publish(slice);
    },
    run: (state, n) => drained(state, n, 'the transport subscription'),
    versions: (state) => state.session.versions(),
    async teardown(state) {
      state.gate.open();
      await state.subscription.close();
      await state.session.close();
    },
  });
}

interface TidingsState extends Counted {
  readonly session: BrokerSession;
  readonly publish: (messages: ReturnType<typeof benchMessages>) => Promise<void>;
  readonly store: BenchStore;
  readonly consumer: Consumer;
}

/** `inbox`: where the handler's inbox records go, or false for a handler without the inbox. */
function tidingsConsume(peer: BrokerPeer, inbox: StoreKind | false): Benchmark {
  const suffix = inbox === false ? '' : inbox === 'sqlite' ? '-inbox' : `-inbox-${inbox}`;
  return defineBenchmark<TidingsState>({
    name: `brokers/${peer.id}/consume/tidings${suffix}`,
    group: group(peer),
    anchor: rawName(peer),
    ...(inbox ? { target: { ratio: 0.7 } } : {}),
    size: throughputSize(peer.slow),
    // The consumer runs handlers in AsyncLocalStorage, which on Node 20 slows every later
    // promise of the process: keep it away from the raw loop.
    isolate: true,
    note: `createConsumer, concurrency ${consumerConcurrency}, no-op durable handler${inbox === false ? ', no inbox' : ` with an inbox record in ${inbox === 'sqlite' ? 'SQLite' : 'PostgreSQL'} (group commit)`}.`,
    async setup() {
      const session = await peer.open();
      const transport = await session.createTransport();
      const store = await createBenchStore(inbox === false ? 'sqlite' : inbox);
      const counted: Counted = { gate: createGate(), handled: 0 };
      const handler = durableHandler('bench-noop', Ticked, () => count(counted), { inbox: inbox !== false });
      const consumer = createConsumer({
        transport,
        catalog,
        handlers: [handler],
        deadLetters: createMemoryDeadLetterSink(),
        inbox: store.store,
        concurrency: consumerConcurrency,
      });
      await consumer.start();
      const publish = async (messages: ReturnType<typeof benchMessages>) => {
        for (const slice of chunk(messages, 1000)) await transport.publish(slice);
      };
      return Object.assign(counted, { session, publish, store, consumer });
    },
    async beforeRun(state, n) {
      state.gate = createGate();
      state.handled = 0;
      await state.publish(benchMessages(n));
    },
    run: (state, n) => drained(state, n, 'the Tidings consumer'),
    versions: (state) => state.session.versions(),
    async teardown(state) {
      state.gate.open();
      await state.consumer.close();
      await state.session.close();
      await state.store.remove();
    },
  });
}

/**
 * The consume group of one broker: raw loop, the bare transport, the consumer without the
 * inbox, then per inbox store the hand-written floor (raw loop + inbox writes) and the consumer.
 */
export function consumeBenchmarks(peer: BrokerPeer): Benchmark[] {
  return [
    rawConsume(peer),
    transportConsume(peer),
    tidingsConsume(peer, false),
    rawConsumeInbox(peer, 'sqlite', group(peer), rawName(peer)),
    tidingsConsume(peer, 'sqlite'),
    rawConsumeInbox(peer, 'postgres', group(peer), rawName(peer)),
    tidingsConsume(peer, 'postgres'),
  ];
}
