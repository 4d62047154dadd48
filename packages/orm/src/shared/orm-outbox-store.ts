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
  // Group commit: savepoints and unmarking run on the ORM transaction's connection, so they
  // cover the rows the handler writes through the ORM. Absent when the store has none.
  const { savepoint, unmarkProcessed } = inner;
  const groupCommit: Pick<Inbox<Tx>, 'savepoint' | 'unmarkProcessed'> = savepoint && unmarkProcessed
    ? {
        savepoint: <T>(tx: Tx, work: () => Promise<T>): Promise<T> =>
          savepoint.call(inner, storeTx(tx, 'savepoint'), work) as Promise<T>,
        unmarkProcessed: (tx, handler, ids) =>
          unmarkProcessed.call(inner, storeTx(tx, 'unmarkProcessed'), handler, ids),
      }
    : {};
  return {
    // Claims, settling, audit, admin and wake-ups, and whatever else the store offers.
    ...membersOf(store),
    transaction: (work) => bridge.transaction(async (tx) => work(tx)),
    // Not async: a SQLite store appends synchronously, and a synchronous ORM transaction
    // must see the failure as a throw.
    append: (tx, entries) => inner.append(storeTx(tx, 'append'), entries),
    // Both forms (one id, or a batch) pass straight through.
    markProcessed: ((tx: Tx, handler: string, ids: string & readonly string[]) =>
      inner.markProcessed(storeTx(tx, 'markProcessed'), handler, ids)) as OrmOutboxStore<Tx>['markProcessed'],
    ...groupCommit,
  } as OrmOutboxStore<Tx>;
}

/**
 * The wrapped store's members, methods bound to it: own and inherited (a store may be a
 * class instance), so a port method added later is delegated without a change here.
 */
function membersOf(store: object): Record<string, unknown> {
  const members: Record<string, unknown> = {};
  for (
    let level = store;
    level !== null && level !== Object.prototype;
    level = Object.getPrototypeOf(level)
  ) {
    for (const key of Object.getOwnPropertyNames(level)) {
      if (key === 'constructor' || key in members) continue;
      const value = (store as Record<string, unknown>)[key];
      members[key] = typeof value === 'function' ? value.bind(store) : value;
    }
  }
  return members;
}
