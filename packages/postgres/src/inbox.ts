/**
 * The PostgreSQL store's Inbox statements: recording in batches that a handler processed
 * events inside the caller's transaction, savepoints so group commit can roll back one
 * handler run and keep the others, and pruning old records. Kept apart from the outbox
 * store so the inbox and the delivery queue change independently.
 */
import { inboxMarker } from '@tidings/core/spi';
import pg from 'pg';
import { storeFailure } from './failures.ts';
import type { PgQueryable, TableNames } from './options.ts';

/**
 * Measured with bench/brokers/consume.ts (docs/architecture.md, "Inbox group commit").
 * Runs of a group are one subtransaction each: past 64 that write, PostgreSQL's per-backend
 * subtransaction cache overflows and slows every session's snapshots while the group is open.
 * Two groups of 32 hold all of a consumer's 64 in flight; with 16 the other half queued
 * behind two round-trip-bound transactions (the profile was half idle).
 */
export const postgresGroupCommit = { maxRuns: 32, concurrency: 2 } as const;

const RUN_SAVEPOINT = 'tidings_inbox_run';
const MARK_SAVEPOINT = 'tidings_inbox_mark';

/** The single-row insert: rowCount 1 exactly when the record is new. */
async function markOne(names: TableNames, tx: PgQueryable, handler: string, eventId: string, at: number) {
  const result = await tx.query(
    `INSERT INTO ${names.inbox} (handler, event_id, processed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [handler, eventId, at],
  );
  return result.rowCount === 1;
}

/**
 * Records (handler, id) for every id on `tx`; resolves the ids newly recorded. On a `pg`
 * client one statement returns them. A handle that reports only a row count (an ORM's)
 * gets the batch under a savepoint: all new is the common case and one round trip more;
 * otherwise it rolls the batch back and records the ids one by one to learn which are new.
 */
async function markBatch(
  names: TableNames,
  tx: PgQueryable,
  handler: string,
  eventIds: readonly string[],
  at: number,
): Promise<ReadonlySet<string>> {
  const ids = [...new Set(eventIds)];
  if (ids.length === 0) return new Set();
  if (ids.length === 1) return new Set((await markOne(names, tx, handler, ids[0]!, at)) ? ids : []);
  // Sorted: two groups racing on overlapping ids take the row locks in one order, no deadlock.
  const text = `INSERT INTO ${names.inbox} (handler, event_id, processed_at)
    SELECT $1, id, $3 FROM unnest($2::text[]) AS id ORDER BY id
    ON CONFLICT DO NOTHING RETURNING event_id`;
  const values = [handler, ids, at];
  if (tx instanceof pg.Client) {
    const { rows } = await tx.query<{ event_id: string }>(text, values);
    return new Set(rows.map((row) => row.event_id));
  }
  await tx.query(`SAVEPOINT ${MARK_SAVEPOINT}`, []);
  const { rowCount } = await tx.query(text, values);
  if (rowCount === ids.length) return new Set(ids);
  await tx.query(`ROLLBACK TO SAVEPOINT ${MARK_SAVEPOINT}`, []);
  const recorded = new Set<string>();
  for (const id of ids) if (await markOne(names, tx, handler, id, at)) recorded.add(id);
  return recorded;
}

/**
 * A savepoint before the work, rolled back to when it throws. Never released: COMMIT
 * releases them all, and the next run's savepoint of the same name hides this one, so each
 * run costs one round trip instead of two.
 */
async function eagerSavepoint<T>(tx: PgQueryable, work: () => Promise<T>): Promise<T> {
  await tx.query(`SAVEPOINT ${RUN_SAVEPOINT}`, []).catch((error: unknown) => {
    throw storeFailure('open a savepoint', error);
  });
  try {
    return await work();
  } catch (error) {
    await tx.query(`ROLLBACK TO SAVEPOINT ${RUN_SAVEPOINT}`, []).catch((rollbackError: unknown) => {
      throw storeFailure('roll back to a savepoint', rollbackError);
    });
    throw error;
  }
}

/**
 * On a `pg` client the savepoint is queued only in front of the work's first query (the
 * client runs queries in the order they are queued): a run that writes nothing, the common
 * no-op or external-effect handler, costs no round trip, and one that writes pays it in the
 * same queue as its own statements. A run that issued no query has nothing to roll back.
 */
async function lazySavepoint<T>(client: pg.Client, work: () => Promise<T>): Promise<T> {
  type Query = (...args: unknown[]) => unknown;
  const query = client.query as unknown as Query;
  const run = (text: string) => query.call(client, text) as Promise<unknown>;
  let opened: Promise<unknown> | undefined;
  (client as unknown as { query: Query }).query = function (this: unknown, ...args: unknown[]) {
    if (!opened) {
      opened = run(`SAVEPOINT ${RUN_SAVEPOINT}`);
      opened.catch(() => undefined); // awaited below; the work's own query fails the same way
    }
    return query.apply(this, args);
  };
  try {
    const result = await work();
    if (opened)
      await opened.catch((error: unknown) => Promise.reject(storeFailure('open a savepoint', error)));
    return result;
  } catch (error) {
    if (opened) {
      await opened.catch(() => undefined);
      await run(`ROLLBACK TO SAVEPOINT ${RUN_SAVEPOINT}`).catch((rollbackError: unknown) =>
        Promise.reject(storeFailure('roll back to a savepoint', rollbackError)),
      );
    }
    throw error;
  } finally {
    // The own property shadowed the prototype's method; removing it restores the client.
    delete (client as { query?: unknown }).query;
  }
}

export interface PostgresInbox {
  markProcessed(tx: PgQueryable, handler: string, eventId: string): Promise<boolean>;
  markProcessed(tx: PgQueryable, handler: string, eventIds: readonly string[]): Promise<ReadonlySet<string>>;
  unmarkProcessed(tx: PgQueryable, handler: string, eventIds: readonly string[]): Promise<void>;
  savepoint<T>(tx: PgQueryable, work: () => Promise<T>): Promise<T>;
  readonly groupCommit: typeof postgresGroupCommit;
}

export function createPostgresInbox(
  names: TableNames,
  ensureReady: () => Promise<void>,
  now: () => number,
): PostgresInbox {
  return {
    markProcessed: inboxMarker(async (tx: PgQueryable, handler, eventIds) => {
      await ensureReady();
      try {
        return await markBatch(names, tx, handler, eventIds, now());
      } catch (error) {
        throw storeFailure('record the inbox entry', error);
      }
    }),
    async unmarkProcessed(tx, handler, eventIds) {
      try {
        await tx.query(`DELETE FROM ${names.inbox} WHERE handler = $1 AND event_id = ANY($2::text[])`, [
          handler,
          [...eventIds],
        ]);
      } catch (error) {
        throw storeFailure('remove inbox entries of failed runs', error);
      }
    },
    savepoint: (tx, work) => (tx instanceof pg.Client ? lazySavepoint(tx, work) : eagerSavepoint(tx, work)),
    groupCommit: postgresGroupCommit,
  };
}

/** The statement deleting records processed before `olderThan`. */
export function pruneInboxStatement(names: TableNames, olderThan: number) {
  return { text: `DELETE FROM ${names.inbox} WHERE processed_at < $1`, values: [Math.ceil(olderThan)] };
}
