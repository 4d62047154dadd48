/**
 * Relay throughput: an outbox backlog moved to the broker by `createOutboxRelay` (default
 * options), against the raw client publishing the same encoded messages with everything in
 * flight, and against a hand-written relay loop over the same SQLite tables (raw-relay.ts). Both publish into a sink the broker really stores.
 */
import { createOutbox, createOutboxRelay, type OutboxRelay } from '@tidings/core';
import { type Benchmark, defineBenchmark } from '../registry.ts';
import { benchEvents, benchMessages, throughputSize } from './fixture.ts';
import type { BrokerPeer, BrokerSession, Sink } from './peer.ts';
import { rawRelaySqlite } from './raw-relay.ts';
import { type BenchStore, createBenchStore, fillBacklog, type StoreKind } from './stores.ts';

const group = (peer: BrokerPeer) => `relay → ${peer.label}`;
const rawName = (peer: BrokerPeer) => `brokers/${peer.id}/relay/raw-publish`;

interface RawState {
  readonly session: BrokerSession;
  readonly sink: Sink;
  messages: ReturnType<typeof benchMessages>;
}

function rawPublish(peer: BrokerPeer): Benchmark {
  return defineBenchmark<RawState>({
    name: rawName(peer),
    group: group(peer),
    size: throughputSize(peer.slow),
    note: 'Raw client, pre-encoded CloudEvents messages, all in flight, durable acceptance awaited. The raw claim loop without a broker is relay/sqlite/raw-claim-loop and relay/postgres/raw-claim-loop.',
    async setup() {
      const session = await peer.open();
      return { session, sink: await session.createSink(), messages: [] };
    },
    async beforeRun(state, n) {
      await state.sink.purge();
      state.messages = benchMessages(n);
    },
    async run(state, n) {
      await state.session.rawPublish(state.messages);
      return n;
    },
    versions: (state) => state.session.versions(),
    teardown: (state) => state.session.close(),
  });
}

interface RelayState {
  readonly session: BrokerSession;
  readonly sink: Sink;
  readonly store: BenchStore;
  readonly outbox: ReturnType<typeof createOutbox>;
  readonly relay: OutboxRelay;
}

function tidingsRelay(peer: BrokerPeer, kind: StoreKind): Benchmark {
  return defineBenchmark<RelayState>({
    name: `brokers/${peer.id}/relay/tidings-${kind}`,
    group: group(peer),
    anchor: rawName(peer),
    target: { ratio: 0.8 },
    size: throughputSize(peer.slow),
    note: `Tidings relay from a ${kind === 'sqlite' ? 'SQLite (temp file, WAL)' : 'PostgreSQL'} outbox backlog: claim, decode, encode, publish, settle; default options (rounds of 500, 4 in flight).`,
    async setup() {
      const session = await peer.open();
      const store = await createBenchStore(kind);
      const outbox = createOutbox({ store: store.store, routes: [{ name: 'broker' }] });
      const transport = await session.createTransport();
      const relay = createOutboxRelay(outbox, { transports: { broker: transport } });
      return { session, sink: await session.createSink(), store, outbox, relay };
    },
    async beforeRun(state, n) {
      await state.sink.purge();
      await fillBacklog(state.outbox, benchEvents(n));
    },
    async run(state, n) {
      await state.relay.drain();
      return n;
    },
    versions: async (state) => ({ ...(await state.session.versions()), ...state.store.version }),
    async teardown(state) {
      await state.relay.close();
      await state.session.close();
      await state.store.remove();
    },
  });
}

/** The relay group of one broker: the raw anchor, the hand-written relay floor, then Tidings from SQLite and from PostgreSQL. */
export function relayBenchmarks(peer: BrokerPeer): Benchmark[] {
  return [
    rawPublish(peer),
    rawRelaySqlite(peer, group(peer), rawName(peer)),
    tidingsRelay(peer, 'sqlite'),
    tidingsRelay(peer, 'postgres'),
  ];
}
