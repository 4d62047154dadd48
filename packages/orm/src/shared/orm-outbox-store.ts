/**
 * The store view every ORM adapter returns: an OutboxStore and Inbox whose transaction
 * handle is the ORM's. `transaction` opens an ORM transaction; `append` and `markProcessed`
 * run the wrapped store's SQL on the ORM transaction they are handed, so the user's rows,
 * the outbox rows and the inbox record commit or roll back together. Claims, settling and
 * the audit queries go to the wrapped store unchanged.
 */
import { ConfigurationError, type Inbox, type OutboxStore } from '@tidings/core';
import { describeValue } from '@tidings/core/spi';
import type { OrmBridge } from './orm-bridge.ts';
import { isSqliteStore, type SqliteStore, type SqlQueryable, type WrappableStore } from './stores.ts';

/** An outbox store and inbox whose transactions are the ORM's `Tx`. */
export type OrmOutboxStore<Tx> = OutboxStore<Tx> & Inbox<Tx>;

type StoreTx = SqlQueryable | { readonly db: SqliteStore['database'] };

function refuse<Tx>(bridge: OrmBridge<Tx>, method: string, handle: unknown): never {
  throw new ConfigurationError(
    `${method}() needs a ${bridge.orm} transaction, so the events commit or roll back with your rows; ` +
      `got ${describeValue(handle)}, which is not inside one (an outbox write must never commit on its own). ` +
      `Pass ${bridge.expected}.`,
    { details: { orm: bridge.orm, method } },
  );
}

function sqliteTx<Tx>(bridge: OrmBridge<Tx>, store: SqliteStore, tx: Tx, method: string): StoreTx {
  const connection = bridge.connection?.(tx);
  if ((connection !== undefined && connection !== store.database) || !store.database.inTransaction) {
    throw new ConfigurationError(
      `${method}() got a ${bridge.orm} transaction on another SQLite connection than the outbox store's, ` +
        'so the events would not commit with your rows. Open one better-sqlite3 Database and give it to both: ' +
        `createSqliteOutboxStore({ database }) and ${bridge.orm}.`,
      { details: { orm: bridge.orm, method } },
    );
  }
  return { db: store.database };
}

/**
 * Wraps `store` so that its transactions are `bridge`'s ORM transactions. Used by each
 * adapter's `create…OutboxStore`; adapter authors may use it for another ORM.
 */
export function createOrmOutboxStore<Tx>(store: WrappableStore, bridge: OrmBridge<Tx>): OrmOutboxStore<Tx> {
  const sqlite = isSqliteStore(store) ? store : undefined;
  const { query, storeHandle } = bridge;
  if (!sqlite && !query && !storeHandle) {
    throw new ConfigurationError(
      `The ${bridge.orm} adapter runs only on a SQLite outbox store here; got ${describeValue(store)}. ` +
        'Pass createSqliteOutboxStore({ database }) on the connection your ORM uses.',
    );
  }
  const storeTx = (handle: Tx, method: string): StoreTx => {
    if (!bridge.inTransaction(handle)) refuse(bridge, method, handle);
    if (sqlite) return sqliteTx(bridge, sqlite, handle, method);
    if (storeHandle) return storeHandle(handle) as StoreTx;
    return { query: (text, values) => (query as NonNullable<typeof query>)(handle, text, values) };
  };
  // Casts: `storeTx` chose the handle kind that this particular store accepts.
  const inner = store as unknown as OutboxStore<StoreTx> & Inbox<StoreTx>;
  const view: OrmOutboxStore<Tx> = {
    transaction: (work) => bridge.transaction(async (tx) => work(tx)),
    // Not async: a SQLite store appends synchronously, and a synchronous ORM transaction
    // must see the failure as a throw.
    append: (tx, entries) => inner.append(storeTx(tx, 'append'), entries),
    markProcessed: (tx, handler, eventId) =>
      inner.markProcessed(storeTx(tx, 'markProcessed'), handler, eventId),
    claim: (request) => store.claim(request),
    settle: (outcomes) => store.settle(outcomes),
    deadLetters: (query) => store.deadLetters(query),
    redrive: (refs) => store.redrive(refs),
    events: (query) => store.events(query),
    event: (id) => store.event(id),
    deliveries: (eventId) => store.deliveries(eventId),
    stats: () => store.stats(),
    prune: (before) => store.prune(before),
    close: () => store.close(),
  };
  const onAppend = store.onAppend?.bind(store);
  if (onAppend) view.onAppend = onAppend;
  return view;
}
