/**
 * The SQLite store's Inbox: records made in batches inside the caller's transaction,
 * savepoints so group commit can roll back one handler run and keep the others, and
 * retention. All synchronous on the store's connection, like better-sqlite3 itself.
 */
import { type Inbox, StoreError } from '@tidings/core';
import { inboxMarker } from '@tidings/core/spi';
import type Database from 'better-sqlite3';
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

/** Rows per multi-row inbox insert: a default group (32) is one statement. */
const maxRowsPerInsert = 64;

export function createSqliteInbox(session: Session): SqliteInbox {
  const { tables, clock, db } = session;
  const insertStatements: Database.Statement[] = [];
  const insertMany = (rows: number): Database.Statement => {
    let statement = insertStatements[rows];
    if (!statement) {
      const values = Array.from({ length: rows }, () => '(?, ?, ?)').join(', ');
      statement = session
        .statement(
          `INSERT OR IGNORE INTO ${tables.inbox} (handler, event_id, processed_at) VALUES ${values} RETURNING event_id`,
        )
        .pluck();
      insertStatements[rows] = statement;
    }
    return statement;
  };
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
      // A group's ids in one multi-row statement per `maxRowsPerInsert`: RETURNING names the
      // rows inserted (an ignored duplicate returns none), ~1 µs per id less than a run each.
      for (let start = 0; start < eventIds.length; start += maxRowsPerInsert) {
        const ids = eventIds.slice(start, start + maxRowsPerInsert);
        const values: unknown[] = [];
        for (const id of ids) values.push(handler, id, at);
        for (const id of insertMany(ids.length).all(...values) as string[]) recorded.add(id);
      }
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
