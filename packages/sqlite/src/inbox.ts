/**
 * The SQLite store's Inbox: records made in batches inside the caller's transaction,
 * savepoints so group commit can roll back one handler run and keep the others, and
 * retention. All synchronous on the store's connection, like better-sqlite3 itself.
 */
import { type Inbox, StoreError } from '@tidings/core';
import { inboxMarker } from '@tidings/core/spi';
import type { SqliteTx } from './options.ts';
import type { Session } from './session.ts';

export type SqliteInbox = Required<Omit<Inbox<SqliteTx>, 'transaction'>>;

/**
 * Measured with bench/brokers/consume.ts (see docs/architecture.md, "Inbox group commit"):
 * one connection, so one group at a time; commits (WAL fsync) are what grouping saves.
 * 32 = half the consumer's 64 in flight: groups of 16 were capped (every group full), and
 * 64 leaves the transport nothing to deliver while a group runs.
 */
export const sqliteGroupCommit = { maxRuns: 32, concurrency: 1 } as const;

export function createSqliteInbox(session: Session): SqliteInbox {
  const { tables, clock, db } = session;
  const insert = session.statement(
    `INSERT OR IGNORE INTO ${tables.inbox} (handler, event_id, processed_at) VALUES (?, ?, ?)`,
  );
  const remove = session.statement(`DELETE FROM ${tables.inbox} WHERE handler = ? AND event_id = ?`);
  const prune = session.statement(`DELETE FROM ${tables.inbox} WHERE processed_at < :olderThan`);
  // One name is enough: the committer never nests savepoints on one transaction.
  const savepointName = 'tidings_inbox_run';
  // Prepared once: `db.exec` parsed both texts again for every run of every group.
  const open = session.statement(`SAVEPOINT ${savepointName}`);
  const release = session.statement(`RELEASE ${savepointName}`);

  return {
    markProcessed: inboxMarker((tx: SqliteTx, handler, eventIds) => {
      session.checkTx('markProcessed', tx);
      const at = clock();
      const recorded = new Set<string>();
      for (const eventId of eventIds)
        if (insert.run(handler, eventId, at).changes === 1) recorded.add(eventId);
      return recorded;
    }),
    unmarkProcessed(tx, handler, eventIds) {
      session.checkTx('unmarkProcessed', tx);
      for (const eventId of eventIds) remove.run(handler, eventId);
    },
    async savepoint(tx, work) {
      session.checkTx('savepoint', tx);
      open.run();
      let result: Awaited<ReturnType<typeof work>>;
      try {
        result = await work();
      } catch (error) {
        try {
          db.exec(`ROLLBACK TO ${savepointName}; RELEASE ${savepointName}`);
        } catch (rollbackError) {
          throw new StoreError(`SQLite inbox could not roll back to a savepoint: ${String(rollbackError)}`, {
            cause: rollbackError,
          });
        }
        throw error;
      }
      release.run();
      return result;
    },
    groupCommit: sqliteGroupCommit,
    pruneInbox: (olderThan) =>
      session.write('pruneInbox', () => prune.run({ olderThan: Math.ceil(olderThan) }).changes),
  };
}
