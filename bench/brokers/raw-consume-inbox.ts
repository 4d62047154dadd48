/**
 * The floor of any consumer with an inbox: the raw client's consume-and-ack loop (the same
 * 64 unacked at most as `consume/raw`) where each message's id is recorded in the Tidings
 * inbox table (made by the Tidings store, not timed) before the ack, in group commits like
 * the Tidings consumer's: what arrives in the same turn of the event loop is written in one
 * transaction of at most 32 ids (SQLite: one group at a time, as the store's one connection
 * allows; PostgreSQL: two groups in flight on two connections, as `postgresGroupCommit`).
 * It decodes, validates and isolates nothing: what is left between it and `consume/raw` is
 * what the inbox writes cost on this machine, so the Tidings consumer's distance to it is
 * Tidings' own cost.
 */
import Database from 'better-sqlite3';
import type pg from 'pg';
import { type Benchmark, defineBenchmark } from '../registry.ts';
import { benchMessages, throughputSize, waitUntil } from './fixture.ts';
import { createGate, type Gate } from './gate.ts';
import type { BrokerPeer, BrokerSession, RawSubscription } from './peer.ts';
import { type BenchStore, createBenchStore, type StoreKind } from './stores.ts';

const groupSize = 32;
const handlerName = 'bench-noop';

/** Records a group of ids durably; resolves once committed. */
type WriteGroup = (ids: readonly string[]) => void | Promise<void>;

interface Waiting {
  readonly id: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Collects the ids of one loop turn and writes them in groups of `groupSize`, `lanes` at once. */
function groupCommitter(write: WriteGroup, lanes: number) {
  const waiting: Waiting[] = [];
  let running = 0;
  let scheduled = false;
  const pump = () => {
    scheduled = false;
    while (running < lanes && waiting.length > 0) {
      const group = waiting.splice(0, groupSize);
      running++;
      Promise.resolve()
        .then(() => write(group.map((w) => w.id)))
        .then(
          () => {
            for (const w of group) w.resolve();
          },
          (error: unknown) => {
            for (const w of group) w.reject(error);
          },
        )
        .finally(() => {
          running--;
          pump();
        });
    }
  };
  return (id: string) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ id, resolve, reject });
      if (!scheduled && running < lanes) {
        scheduled = true;
        setImmediate(pump);
      }
    });
}

function sqliteWriter(store: BenchStore): { write: WriteGroup; lanes: number; close(): void } {
  const db = new Database(store.filename as string);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const insert = db.prepare(
    'INSERT OR IGNORE INTO tidings_inbox (handler, event_id, processed_at) VALUES (?, ?, ?)',
  );
  const group = db.transaction((ids: readonly string[]) => {
    const at = Date.now();
    for (const id of ids) insert.run(handlerName, id, at);
  });
  return { write: (ids) => group(ids), lanes: 1, close: () => db.close() };
}

function postgresWriter(store: BenchStore): { write: WriteGroup; lanes: number; close(): void } {
  const { pool, inboxTable } = store.pg as { pool: pg.Pool; inboxTable: string };
  // One statement is its own transaction: one round trip and one commit per group.
  const text = `INSERT INTO ${inboxTable} (handler, event_id, processed_at)
    SELECT $1, id, $3 FROM unnest($2::text[]) AS id ORDER BY id ON CONFLICT DO NOTHING`;
  return {
    write: async (ids) => {
      await pool.query(text, [handlerName, ids, Date.now()]);
    },
    lanes: 2,
    close: () => undefined,
  };
}

interface State {
  readonly session: BrokerSession;
  readonly store: BenchStore;
  readonly subscription: RawSubscription;
  readonly close: () => void;
  gate: Gate;
  handled: number;
}

export function rawConsumeInbox(peer: BrokerPeer, kind: StoreKind, group: string, anchor: string): Benchmark {
  const where = kind === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  return defineBenchmark<State>({
    name: `brokers/${peer.id}/consume/raw-inbox-${kind}`,
    group,
    anchor,
    size: throughputSize(peer.slow),
    note: `Hand-written consume-with-inbox floor: the raw consume-and-ack loop, each id recorded in the ${where} inbox table before its ack, in group commits of up to ${groupSize} (${kind === 'sqlite' ? 'one at a time' : 'two in flight'}); no decoding, validation or isolation.`,
    async setup() {
      const session = await peer.open();
      const store = await createBenchStore(kind);
      // Makes the tables (migration), as the Tidings consumer's first transaction would.
      await store.store.transaction(() => undefined);
      const writer = kind === 'sqlite' ? sqliteWriter(store) : postgresWriter(store);
      const record = groupCommitter(writer.write, writer.lanes);
      let sequence = 0;
      const state = { session, store, gate: createGate(), handled: 0 } as State;
      const subscription = await session.rawSubscribe(
        'bench-inbox',
        async () => {
          if (!state.gate.isOpen) await state.gate.opened;
          await record(`raw-${sequence++}`);
          state.handled++;
        },
        { concurrent: true },
      );
      return Object.assign(state, { subscription, close: writer.close });
    },
    async beforeRun(state, n) {
      state.gate = createGate();
      state.handled = 0;
      await state.session.rawPublish(benchMessages(n));
    },
    async run(state, n) {
      state.gate.open();
      await waitUntil(() => state.handled >= n, `the raw inbox consumer handled ${n} messages`);
      return n;
    },
    versions: async (state) => ({ ...(await state.session.versions()), ...state.store.version }),
    async teardown(state) {
      state.gate.open();
      await state.subscription.close();
      state.close();
      await state.session.close();
      await state.store.remove();
    },
  });
}
