/**
 * The floor of any relay from SQLite: a hand-written loop over the same outbox tables (made
 * and filled by the Tidings store, not timed) that claims a batch of pending deliveries
 * under a lease in one write transaction, publishes their PRE-ENCODED messages with the raw
 * client, and marks them done in a second transaction, with two batches in flight. It
 * encodes nothing, validates nothing and keeps no per-subject order: what is left between it
 * and `raw-publish` is what claiming and completing in SQLite cost on this machine, so the
 * Tidings relay's distance to it is Tidings' own cost.
 */
import { createOutbox, type TransportMessage, toTransportMessage } from '@tidings/core';
import Database from 'better-sqlite3';
import { type Benchmark, defineBenchmark } from '../registry.ts';
import { benchEvents, throughputSize } from './fixture.ts';
import type { BrokerPeer, BrokerSession, Sink } from './peer.ts';
import { type BenchStore, createBenchStore, fillBacklog } from './stores.ts';

/** Deliveries per claim, and claims in flight. */
const batch = 500;
const inFlight = 2;

interface RawRelayState {
  readonly session: BrokerSession;
  readonly sink: Sink;
  readonly store: BenchStore;
  readonly outbox: ReturnType<typeof createOutbox>;
  db: Database.Database;
  /** Prepared in setup: claims up to `limit` pending deliveries under a lease, in one transaction. */
  claim: Database.Transaction<(limit: number) => string[]>;
  /** Prepared in setup: marks the ids done, in one transaction. */
  complete: Database.Transaction<(ids: readonly string[]) => void>;
  messages: Map<string, TransportMessage>;
}

export function rawRelaySqlite(peer: BrokerPeer, group: string, anchor: string): Benchmark {
  return defineBenchmark<RawRelayState>({
    name: `brokers/${peer.id}/relay/raw-relay-sqlite`,
    group,
    anchor,
    size: throughputSize(peer.slow),
    note: `Hand-written relay floor: one SQLite transaction claims ${batch} pending deliveries under a lease, the raw client publishes their pre-encoded messages, a second marks them done; ${inFlight} batches in flight; no encoding, validation or order.`,
    async setup() {
      const session = await peer.open();
      const store = await createBenchStore('sqlite');
      const outbox = createOutbox({ store: store.store, routes: [{ name: 'broker' }] });
      await outbox.transaction(() => undefined);
      const db = new Database(store.filename as string);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      const select = db.prepare(
        `SELECT event_id FROM tidings_deliveries INDEXED BY tidings_deliveries_pending
         WHERE status = 'pending' AND lease_owner IS NULL ORDER BY position LIMIT ?`,
      );
      const lease = db.prepare(
        `UPDATE tidings_deliveries SET lease_owner = 'raw', lease_until = ? WHERE event_id = ?`,
      );
      const done = db.prepare(
        `UPDATE tidings_deliveries SET status = 'done', finished_at = ?, lease_owner = NULL WHERE event_id = ?`,
      );
      const claim = db.transaction((limit: number) => {
        const ids = (select.all(limit) as { event_id: string }[]).map((r) => r.event_id);
        const until = Date.now() + 60_000;
        for (const id of ids) lease.run(until, id);
        return ids;
      });
      const complete = db.transaction((ids: readonly string[]) => {
        const now = Date.now();
        for (const id of ids) done.run(now, id);
      });
      return {
        session,
        sink: await session.createSink(),
        store,
        outbox,
        db,
        claim,
        complete,
        messages: new Map(),
      };
    },
    async beforeRun(state, n) {
      await state.sink.purge();
      const events = benchEvents(n);
      state.messages = new Map(events.map((e) => [e.id, toTransportMessage(e)]));
      await fillBacklog(state.outbox, events);
    },
    async run(state, n) {
      const { claim, complete } = state;
      let published = 0;
      const loop = async () => {
        for (;;) {
          const ids = claim.immediate(batch);
          if (ids.length === 0) return;
          await state.session.rawPublish(ids.map((id) => state.messages.get(id) as TransportMessage));
          complete.immediate(ids);
          published += ids.length;
        }
      };
      await Promise.all(Array.from({ length: inFlight }, loop));
      if (published !== n) throw new Error(`The raw relay published ${published} of ${n}.`);
      return n;
    },
    versions: (state) => state.session.versions(),
    async teardown(state) {
      state.db.close();
      await state.session.close();
      await state.store.remove();
    },
  });
}
