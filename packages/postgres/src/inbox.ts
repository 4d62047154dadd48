/**
 * The PostgreSQL store's Inbox statements: recording that a handler processed an event
 * inside the caller's transaction, and pruning old records. Kept apart from the outbox
 * store so the inbox and the delivery queue change independently.
 */
import { storeFailure } from './failures.ts';
import type { PgQueryable, TableNames } from './options.ts';

/** Records (handler, eventId) on `tx`; true when the record is new. */
export async function markProcessed(
  names: TableNames,
  tx: PgQueryable,
  handler: string,
  eventId: string,
  at: number,
): Promise<boolean> {
  try {
    const result = await tx.query(
      `INSERT INTO ${names.inbox} (handler, event_id, processed_at) VALUES ($1, $2, $3)
        ON CONFLICT DO NOTHING RETURNING 1`,
      [handler, eventId, at],
    );
    return result.rowCount === 1;
  } catch (error) {
    throw storeFailure('record the inbox entry', error);
  }
}

/** The statement deleting records processed before `olderThan`. */
export function pruneInboxStatement(names: TableNames, olderThan: number) {
  return { text: `DELETE FROM ${names.inbox} WHERE processed_at < $1`, values: [Math.ceil(olderThan)] };
}
