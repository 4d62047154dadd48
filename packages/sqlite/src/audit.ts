/**
 * The audit side of the store: querying events and deliveries, dead letters, backlog
 * statistics, and retention (`prune`).
 */
import type { ConsumerStats, DeadLetter, DeliveryInfo, EventQuery, StoredEvent } from '@tidings/core';
import { deepFreeze } from '@tidings/core/spi';
import {
  type DeliveryRow,
  deliveryColumns,
  type EventRow,
  eventColumns,
  toDeliveryInfo,
  toEvent,
} from './rows.ts';
import type { Session } from './session.ts';

const prefixed = (alias: string, columns: string) =>
  columns
    .split(',')
    .map((column) => `${alias}.${column.trim()}`)
    .join(', ');

function toStored(row: EventRow): StoredEvent {
  return Object.freeze({ position: row.position, event: toEvent(row) });
}

// LIMIT -1 means "no limit" to SQLite; a zero or negative limit asks for nothing.
const rowLimit = (limit: number | undefined) => Math.max(0, Math.floor(limit ?? 100));

export async function queryEvents(session: Session, query: EventQuery = {}): Promise<readonly StoredEvent[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.subject) {
    where.push('subject_type = ? AND subject_id = ?');
    params.push(query.subject.type, query.subject.id);
  }
  if (query.types) {
    where.push('type IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(query.types));
  }
  if (query.correlationId !== undefined) {
    where.push('correlation_id = ?');
    params.push(query.correlationId);
  }
  if (query.causationId !== undefined) {
    where.push('causation_id = ?');
    params.push(query.causationId);
  }
  // ISO-8601 UTC strings of one format order as text.
  if (query.from !== undefined) {
    where.push('occurred_at >= ?');
    params.push(query.from);
  }
  if (query.to !== undefined) {
    where.push('occurred_at < ?');
    params.push(query.to);
  }
  if (query.afterPosition !== undefined) {
    where.push('position > ?');
    params.push(query.afterPosition);
  }
  params.push(rowLimit(query.limit));
  const sql =
    `SELECT ${eventColumns} FROM ${session.tables.events}` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY position ${query.order === 'desc' ? 'DESC' : 'ASC'} LIMIT ?`;
  const statement = session.statement(sql);
  return session.read('events', () => (statement.all(...params) as EventRow[]).map(toStored));
}

export async function findEvent(session: Session, id: string): Promise<StoredEvent | undefined> {
  const statement = session.statement(`SELECT ${eventColumns} FROM ${session.tables.events} WHERE id = ?`);
  return session.read('event', () => {
    const row = statement.get(id) as EventRow | undefined;
    return row ? toStored(row) : undefined;
  });
}

export async function eventDeliveries(session: Session, eventId: string): Promise<readonly DeliveryInfo[]> {
  // rowid order is append order: the order the consumers were given.
  const statement = session.statement(
    `SELECT ${deliveryColumns} FROM ${session.tables.deliveries} WHERE event_id = ? ORDER BY rowid`,
  );
  return session.read('deliveries', () => (statement.all(eventId) as DeliveryRow[]).map(toDeliveryInfo));
}

export async function deadLetters(
  session: Session,
  query: { readonly consumer?: string; readonly limit?: number } = {},
): Promise<readonly DeadLetter[]> {
  const { events, deliveries } = session.tables;
  const statement = session.statement(
    `SELECT ${prefixed('d', deliveryColumns)}, ${prefixed('e', eventColumns)}
     FROM ${deliveries} d JOIN ${events} e ON e.position = d.position
     WHERE d.status = 'dead' AND (:consumer IS NULL OR d.consumer = :consumer)
     ORDER BY d.finished_at, d.position, d.rowid
     LIMIT :limit`,
  );
  return session.read('deadLetters', () =>
    (
      statement.all({ consumer: query.consumer ?? null, limit: rowLimit(query.limit) }) as (DeliveryRow &
        EventRow)[]
    ).map((row): DeadLetter => deepFreeze({ ...toDeliveryInfo(row), event: toEvent(row) })),
  );
}

export async function consumerStats(session: Session): Promise<readonly ConsumerStats[]> {
  const { events, deliveries } = session.tables;
  const statement = session.statement(
    `SELECT d.consumer AS consumer,
            sum(d.status = 'pending') AS pending,
            sum(d.status = 'done') AS done,
            sum(d.status = 'dead') AS dead,
            sum(d.status = 'pending' AND d.attempts > 0) AS retrying,
            min(CASE WHEN d.status = 'pending' THEN e.recorded_at END) AS oldest
     FROM ${deliveries} d JOIN ${events} e ON e.position = d.position
     GROUP BY d.consumer ORDER BY d.consumer`,
  );
  type Row = {
    consumer: string;
    pending: number;
    done: number;
    dead: number;
    retrying: number;
    oldest: number | null;
  };
  return session.read('stats', () => {
    const now = session.clock();
    return (statement.all() as Row[]).map(
      (row): ConsumerStats =>
        Object.freeze({
          consumer: row.consumer,
          pending: row.pending,
          done: row.done,
          dead: row.dead,
          retrying: row.retrying,
          oldestPendingAgeMs: row.oldest === null ? 0 : Math.max(0, now - row.oldest),
        }),
    );
  });
}

/**
 * Deletes events recorded before `before` whose deliveries are all done, with those
 * deliveries. Deliveries go first, explicitly, so this holds even on a connection that
 * has foreign keys off; events left without deliveries then qualify.
 */
export async function pruneEvents(session: Session, before: number): Promise<number> {
  const { events, deliveries } = session.tables;
  const finishedDeliveries = session.statement(
    `DELETE FROM ${deliveries} WHERE event_id IN (
       SELECT e.id FROM ${events} e WHERE e.recorded_at < :before AND NOT EXISTS (
         SELECT 1 FROM ${deliveries} unfinished WHERE unfinished.event_id = e.id AND unfinished.status != 'done'))`,
  );
  const finishedEvents = session.statement(
    `DELETE FROM ${events} WHERE recorded_at < :before AND NOT EXISTS (
       SELECT 1 FROM ${deliveries} d WHERE d.event_id = ${events}.id)`,
  );
  return session.write('prune', () => {
    finishedDeliveries.run({ before });
    return finishedEvents.run({ before }).changes;
  });
}
