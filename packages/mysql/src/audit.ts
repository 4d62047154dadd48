/**
 * The audit-log and operator queries: events by filter, one event, an event's deliveries,
 * dead letters, per-consumer backlog and retention. Filters become parameters, never
 * spliced text; the time range compares instants (as `Date.parse` reads them), not strings.
 */
import { ConfigurationError, type EventQuery } from '@tidings/core';
import { describeValue } from '@tidings/core/spi';
import type { Statement } from './append.ts';
import type { TableNames } from './options.ts';
import { deliveryColumns, eventColumns } from './rows.ts';

function checkedLimit(limit: number | undefined, fallback: number): number {
  const value = limit ?? fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new ConfigurationError(`limit must be a non-negative integer; got ${describeValue(limit)}.`);
  }
  return value;
}

function instant(option: 'from' | 'to', value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new ConfigurationError(
      `${option} ${describeValue(value)} is not a date; pass an ISO-8601 string such as "2026-01-01T00:00:00.000Z".`,
    );
  }
  return ms;
}

export function eventsStatement(names: TableNames, query: EventQuery): Statement {
  const values: unknown[] = [];
  const where: string[] = [];
  const add = (condition: string, ...params: unknown[]) => {
    where.push(condition);
    values.push(...params);
  };
  if (query.subject) add('e.subject_type = ? AND e.subject_id = ?', query.subject.type, query.subject.id);
  if (query.types) {
    if (query.types.length === 0) add('FALSE');
    else add('e.type IN (?)', [...query.types]);
  }
  if (query.correlationId !== undefined) add('e.correlation_id = ?', query.correlationId);
  if (query.causationId !== undefined) add('e.causation_id = ?', query.causationId);
  if (query.from !== undefined) add('e.occurred_ms >= ?', instant('from', query.from));
  if (query.to !== undefined) add('e.occurred_ms < ?', instant('to', query.to));
  if (query.afterPosition !== undefined) add('e.position > ?', Math.floor(query.afterPosition));
  const order = query.order === 'desc' ? 'DESC' : 'ASC';
  values.push(checkedLimit(query.limit, 100));
  return {
    sql: `SELECT ${eventColumns} FROM ${names.events} e
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY e.position ${order} LIMIT ?`,
    values,
  };
}

export function eventStatement(names: TableNames, id: string): Statement {
  return { sql: `SELECT ${eventColumns} FROM ${names.events} e WHERE e.id = ?`, values: [id] };
}

export function deliveriesStatement(names: TableNames, eventId: string): Statement {
  return {
    sql: `SELECT ${deliveryColumns} FROM ${names.deliveries} d WHERE d.event_id = ? ORDER BY d.slot`,
    values: [eventId],
  };
}

export function deadLettersStatement(
  names: TableNames,
  query: { readonly consumer?: string; readonly limit?: number },
): Statement {
  const consumer = query.consumer ?? null;
  return {
    sql: `SELECT ${deliveryColumns}, ${eventColumns}
      FROM ${names.deliveries} d JOIN ${names.events} e ON e.id = d.event_id
      WHERE d.status = 'dead' AND (? IS NULL OR d.consumer = ?)
      ORDER BY d.finished_at, e.position, d.slot
      LIMIT ?`,
    values: [consumer, consumer, checkedLimit(query.limit, 100)],
  };
}

export interface StatsRow {
  readonly consumer: string;
  /** SUM() is DECIMAL, which mysql2 returns as a string. */
  readonly pending: number | string;
  readonly done: number | string;
  readonly dead: number | string;
  /** Pending after at least one failed attempt (waiting for a retry). */
  readonly retrying: number | string;
  readonly oldest: string | number | null;
}

export function statsStatement(names: TableNames): Statement {
  return {
    sql: `SELECT d.consumer,
        SUM(d.status = 'pending') AS pending,
        SUM(d.status = 'done') AS done,
        SUM(d.status = 'dead') AS dead,
        SUM(d.status = 'pending' AND d.attempts > 0) AS retrying,
        (SELECT MIN(e.recorded_at) FROM ${names.deliveries} p JOIN ${names.events} e ON e.id = p.event_id
          WHERE p.consumer = d.consumer AND p.status = 'pending') AS oldest
      FROM ${names.deliveries} d
      GROUP BY d.consumer`,
    values: [],
  };
}

/** Deletes old events whose deliveries are all done; their deliveries go by cascade. */
export function pruneStatement(names: TableNames, before: number): Statement {
  return {
    sql: `DELETE e FROM ${names.events} e
      WHERE e.recorded_at < ?
        AND NOT EXISTS (SELECT 1 FROM ${names.deliveries} d WHERE d.event_id = e.id AND d.status <> 'done')`,
    values: [Math.ceil(before)],
  };
}
