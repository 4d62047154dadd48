/**
 * The MySQL / MariaDB store's Inbox: records made in batches inside the caller's
 * transaction, savepoints so group commit can roll back one handler run and keep the
 * others. Kept apart from the outbox store so the inbox and the delivery queue change
 * independently.
 */
import { StoreError } from '@tidings/core';
import { describeValue, inboxMarker } from '@tidings/core/spi';
import { run } from './connection.ts';
import { storeFailure } from './failures.ts';
import type { MysqlTx, TableNames } from './options.ts';

interface ResultHeader {
  readonly affectedRows: number;
}

/**
 * Measured with bench/brokers/consume.ts like the other stores (docs/architecture.md,
 * "Inbox group commit"); InnoDB's commit is a redo-log flush, what grouping saves.
 */
export const mysqlGroupCommit = { maxRuns: 16, concurrency: 2 } as const;

const RUN_SAVEPOINT = 'tidings_inbox_run';
const MARK_SAVEPOINT = 'tidings_inbox_mark';

export interface MysqlInbox {
  markProcessed(tx: MysqlTx, handler: string, eventId: string): Promise<boolean>;
  markProcessed(tx: MysqlTx, handler: string, eventIds: readonly string[]): Promise<ReadonlySet<string>>;
  unmarkProcessed(tx: MysqlTx, handler: string, eventIds: readonly string[]): Promise<void>;
  savepoint<T>(tx: MysqlTx, work: () => Promise<T>): Promise<T>;
  readonly groupCommit: typeof mysqlGroupCommit;
}

function checkLengths(handler: string, eventIds: readonly string[]): void {
  const tooLong = eventIds.find((id) => id.length > 255);
  if (handler.length > 255 || tooLong !== undefined) {
    throw new StoreError(
      `markProcessed needs a handler name and event ids of at most 255 characters; got ${describeValue(handler)} and ${describeValue(tooLong ?? eventIds[0])}.`,
    );
  }
}

export function createMysqlInbox(
  names: TableNames,
  ensureReady: () => Promise<void>,
  inTransaction: (tx: MysqlTx, operation: string) => Promise<MysqlTx>,
  now: () => number,
): MysqlInbox {
  const insert = (rows: number) =>
    `INSERT IGNORE INTO ${names.inbox} (handler, event_id, processed_at) VALUES ${Array(rows).fill('(?, ?, ?)').join(', ')}`;

  /**
   * One multi-row INSERT IGNORE under a savepoint: its row count says only how many are new,
   * so when some are not, it is rolled back and the ids are recorded one by one. IGNORE turns
   * only the duplicate into "0 rows": a concurrent first record makes this wait for that
   * transaction, then count as already processed once it commits.
   */
  async function markBatch(connection: MysqlTx, handler: string, eventIds: readonly string[]) {
    // Sorted: two groups racing on overlapping ids take the row locks in one order.
    const ids = [...new Set(eventIds)].sort();
    const at = now();
    const one = async (id: string) =>
      (await run<ResultHeader>(connection, insert(1), [handler, id, at])).affectedRows === 1;
    if (ids.length <= 1) return new Set(ids.length === 1 && (await one(ids[0]!)) ? ids : []);
    await run(connection, `SAVEPOINT ${MARK_SAVEPOINT}`);
    const values = ids.flatMap((id) => [handler, id, at]);
    const { affectedRows } = await run<ResultHeader>(connection, insert(ids.length), values);
    if (affectedRows === ids.length) return new Set(ids);
    await run(connection, `ROLLBACK TO SAVEPOINT ${MARK_SAVEPOINT}`);
    const recorded = new Set<string>();
    for (const id of ids) if (await one(id)) recorded.add(id);
    return recorded;
  }

  return {
    markProcessed: inboxMarker(async (tx: MysqlTx, handler, eventIds) => {
      checkLengths(handler, eventIds);
      await ensureReady();
      const connection = await inTransaction(tx, 'markProcessed');
      try {
        return await markBatch(connection, handler, eventIds);
      } catch (error) {
        throw storeFailure('record the inbox entry', error);
      }
    }),
    async unmarkProcessed(tx, handler, eventIds) {
      if (eventIds.length === 0) return;
      const connection = await inTransaction(tx, 'unmarkProcessed');
      try {
        await run(
          connection,
          `DELETE FROM ${names.inbox} WHERE handler = ? AND event_id IN (${eventIds.map(() => '?').join(', ')})`,
          [handler, ...eventIds],
        );
      } catch (error) {
        throw storeFailure('remove inbox entries of failed runs', error);
      }
    },
    async savepoint(tx, work) {
      const connection = await inTransaction(tx, 'savepoint');
      // Never released: a savepoint of the same name replaces it, and COMMIT ends them all.
      await run(connection, `SAVEPOINT ${RUN_SAVEPOINT}`).catch((error: unknown) => {
        throw storeFailure('open a savepoint', error);
      });
      try {
        return await work();
      } catch (error) {
        await run(connection, `ROLLBACK TO SAVEPOINT ${RUN_SAVEPOINT}`).catch((rollbackError: unknown) => {
          throw storeFailure('roll back to a savepoint', rollbackError);
        });
        throw error;
      }
    },
    groupCommit: mysqlGroupCommit,
  };
}
