/**
 * `append`: one events row and one deliveries row per consumer, inside the caller's
 * transaction. A savepoint makes each call all-or-nothing, so a caller that catches a
 * duplicate-id failure does not commit half a batch.
 */
import { StoreError } from '@tidings/core';
import { type OutboxEntry, orderingKey } from '@tidings/core/spi';
import type { SqliteTx } from './options.ts';
import type { Session } from './session.ts';

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function appendEntries(session: Session, tx: SqliteTx, entries: readonly OutboxEntry[]): void {
  session.checkTx('append', tx);
  if (entries.length === 0) return;
  const { events, deliveries } = session.tables;
  const insertEvent = session.statement(
    `INSERT INTO ${events} (id, type, version, occurred_at, subject_type, subject_id, sequence,
       correlation_id, causation_id, metadata, payload, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertDelivery = session.statement(
    `INSERT INTO ${deliveries} (event_id, consumer, position, ordering_key, status, next_attempt_at)
     VALUES (?, ?, ?, ?, 'pending', ?)`,
  );
  const now = session.clock();
  let deliveryCount = 0;
  session.db.exec('SAVEPOINT tidings_append');
  try {
    for (const { event, consumers } of entries) {
      let position: number | bigint;
      try {
        position = insertEvent.run(
          event.id,
          event.type,
          event.version,
          event.occurredAt,
          event.subject?.type ?? null,
          event.subject?.id ?? null,
          event.subject?.sequence ?? null,
          event.correlationId,
          event.causationId ?? null,
          JSON.stringify(event.metadata ?? {}),
          JSON.stringify(event.payload ?? null),
          now,
        ).lastInsertRowid;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new StoreError(
          `Event id ${JSON.stringify(event.id)} (${event.type}) is already in the outbox; an event is appended once. ` +
            'Create a new event (a new id) rather than appending the same one again.',
          { cause: error, details: { eventId: event.id } },
        );
      }
      const key = orderingKey(event);
      // A consumer named twice is owed the event once.
      for (const consumer of new Set(consumers)) {
        insertDelivery.run(event.id, consumer, position, key, now);
        deliveryCount++;
      }
    }
    session.db.exec('RELEASE tidings_append');
  } catch (error) {
    session.db.exec('ROLLBACK TO tidings_append');
    session.db.exec('RELEASE tidings_append');
    if (error instanceof StoreError) throw error;
    throw new StoreError(`SQLite outbox store append() failed: ${String(error)}`, { cause: error });
  }
  if (deliveryCount > 0) session.appended();
}
