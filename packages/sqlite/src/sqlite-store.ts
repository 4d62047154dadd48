/**
 * `createSqliteOutboxStore`: the embedded default OutboxStore and Inbox, on one
 * better-sqlite3 connection to a WAL-mode file that several processes may share.
 */
import type { HasReceivedDeadLetters, Inbox, OutboxStore } from '@tidings/core';
import type Database from 'better-sqlite3';
import { appendEntries } from './append.ts';
import { consumerStats, deadLetters, eventDeliveries, findEvent, pruneEvents, queryEvents } from './audit.ts';
import { type BackgroundCheckpoint, startBackgroundCheckpoint } from './checkpoint.ts';
import { claimDeliveries } from './claim.ts';
import { openConnection, useShortBusyWait } from './connection.ts';
import { extendLeases } from './extend.ts';
import { createSqliteInbox, type SqliteInbox } from './inbox.ts';
import { resolveOptions, type SqliteOutboxStoreOptions, type SqliteTx } from './options.ts';
import { sqliteReceivedDeadLetters } from './received-dead-letters.ts';
import { migrate, tableNames } from './schema.ts';
import { createSession } from './session.ts';
import { redriveDeliveries, settleDeliveries } from './settle.ts';

export type SqliteOutboxStore = OutboxStore<SqliteTx> &
  Inbox<SqliteTx> &
  HasReceivedDeadLetters &
  SqliteInbox & {
    /** Always present here: listeners hear of appends committed through this store object. */
    onAppend(listener: () => void): () => void;
    pruneInbox(olderThan: number): Promise<number>;
    /**
     * The connection the store writes on. Share it with your ORM (pass it as `database`) so
     * an ORM adapter appends on the connection your ORM transaction is open on.
     */
    readonly database: Database.Database;
  };

/**
 * Opens (creating and migrating when needed) an outbox store and inbox in a SQLite file.
 * WAL mode, `synchronous = NORMAL`, foreign keys on; writes wait for other connections'
 * write transactions without blocking the event loop, and WAL checkpoints run in a worker
 * thread (see the `checkpoint` option). Append listeners hear only of appends
 * made through this store object; relays in other processes find new work by polling.
 *
 * @example
 * const store = createSqliteOutboxStore({ filename: 'app.db' });
 * await store.transaction((tx) => {
 *   tx.db.prepare('UPDATE orders SET status = ? WHERE id = ?').run('placed', orderId);
 *   store.append(tx, [{ event: orderPlaced, consumers: ['send-confirmation'] }]);
 * });
 * const batch = await store.claim({ consumers: ['send-confirmation'], limit: 10, leaseMs: 30_000, owner: 'relay-1' });
 * await store.settle(batch.map((d) => ({ eventId: d.event.id, consumer: d.consumer, owner: d.owner, outcome: 'done' })));
 */
export function createSqliteOutboxStore(options: SqliteOutboxStoreOptions): SqliteOutboxStore {
  const { tablePrefix, clock, busyTimeoutMs, checkpoint: checkpointMode, onError } = resolveOptions(options);
  const tables = tableNames(tablePrefix);
  const { db, owned } = openConnection(options, busyTimeoutMs);
  let checkpoint: BackgroundCheckpoint | undefined;
  try {
    migrate(db, tables, clock());
    useShortBusyWait(db);
    if (checkpointMode === 'background') {
      checkpoint = startBackgroundCheckpoint(db, onError);
    }
  } catch (error) {
    if (owned) db.close();
    throw error;
  }
  const session = createSession({ db, owned, tables, clock, busyTimeoutMs });
  const inbox = createSqliteInbox(session);

  return {
    transaction: (work) => session.transaction(work),
    append: (tx, entries) => appendEntries(session, tx, entries),
    claim: (request) => claimDeliveries(session, request),
    settle: (outcomes) => settleDeliveries(session, outcomes),
    extend: (refs, leaseMs) => extendLeases(session, refs, leaseMs),
    redrive: (refs) => redriveDeliveries(session, refs),
    deadLetters: (query) => deadLetters(session, query),
    events: (query) => queryEvents(session, query),
    event: (id) => findEvent(session, id),
    deliveries: (eventId) => eventDeliveries(session, eventId),
    stats: () => consumerStats(session),
    prune: (before) => pruneEvents(session, before),
    onAppend: (listener) => session.onAppend(listener),
    ...inbox,
    async close() {
      await session.close();
      // After the store's connection: whichever closes last checkpoints and removes the WAL.
      await checkpoint?.close();
    },
    receivedDeadLetters: sqliteReceivedDeadLetters(session),
    database: db,
  };
}
