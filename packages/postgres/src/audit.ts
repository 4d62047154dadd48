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
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  if (query.subject) {
    where.push(`e.subject_type = ${param(query.subject.type)} AND e.subject_id = ${param(query.subject.id)}`);
  }
  if (query.types) where.push(`e.type = ANY(${param(query.types)}::text[])`);
  if (query.correlationId !== undefined) where.push(`e.correlation_id = ${param(query.correlationId)}`);
  if (query.causationId !== undefined) where.push(`e.causation_id = ${param(query.causationId)}`);
  if (query.from !== undefined) {
    where.push(`e.occurred_at >= to_timestamp(${param(instant('from', query.from))}::float8 / 1000.0)`);
  }
  if (query.to !== undefined) {
    where.push(`e.occurred_at < to_timestamp(${param(instant('to', query.to))}::float8 / 1000.0)`);
  }
  if (query.afterPosition !== undefined) where.push(`e.position > ${param(Math.floor(query.afterPosition))}`);
  const order = query.order === 'desc' ? 'DESC' : 'ASC';
  const limit = param(checkedLimit(query.limit, 100));
  return {
    text: `SELECT ${eventColumns} FROM ${names.events} e
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY e.position ${order} LIMIT ${limit}`,
    values,
  };
}

export function eventStatement(names: TableNames, id: string): Statement {
  return { text: `SELECT ${eventColumns} FROM ${names.events} e WHERE e.id = $1`, values: [id] };
}

export function deliveriesStatement(names: TableNames, eventId: string): Statement {
  return {
    // Archived (done) deliveries answer too, whatever the completion mode is now.
    text: `SELECT * FROM (
        SELECT ${deliveryColumns}, d.slot FROM ${names.deliveries} d WHERE d.event_id = $1
        UNION ALL
        SELECT a.event_id, a.consumer, 'done' AS status, a.attempts, a.last_error, a.history::text AS history,
          NULL AS next_attempt_at, a.finished_at, a.slot
        FROM ${names.done} a WHERE a.event_id = $1
      ) all_deliveries ORDER BY slot`,
    values: [eventId],
  };
}

export function deadLettersStatement(
  names: TableNames,
  query: { readonly consumer?: string; readonly limit?: number },
): Statement {
  return {
    text: `SELECT ${deliveryColumns}, ${eventColumns}
      FROM ${names.deliveries} d JOIN ${names.events} e ON e.id = d.event_id
      WHERE d.status = 'dead' AND ($1::text IS NULL OR d.consumer = $1)
      ORDER BY d.finished_at, d.position, d.slot
      LIMIT $2`,
    values: [query.consumer ?? null, checkedLimit(query.limit, 100)],
  };
}

export interface StatsRow {
  readonly consumer: string;
  readonly pending: number;
  readonly done: number;
  readonly dead: number;
  readonly retrying: number;
  readonly oldest: string | number | null;
}

export function statsStatement(names: TableNames): Statement {
  return {
    text: `SELECT d.consumer,
        count(*) FILTER (WHERE d.status = 'pending')::int AS pending,
        count(*) FILTER (WHERE d.status = 'done')::int AS done,
        count(*) FILTER (WHERE d.status = 'dead')::int AS dead,
        count(*) FILTER (WHERE d.status = 'pending' AND d.attempts > 0)::int AS retrying,
        (SELECT min(e.recorded_at) FROM ${names.deliveries} p JOIN ${names.events} e ON e.id = p.event_id
          WHERE p.consumer = d.consumer AND p.status = 'pending') AS oldest
      FROM (SELECT consumer, status, attempts FROM ${names.deliveries}
        UNION ALL SELECT consumer, 'done', 0 FROM ${names.done}) d
      GROUP BY d.consumer`,
    values: [],
  };
}

/** Deletes old events whose deliveries are all done; their deliveries go by cascade. */
export function pruneStatement(names: TableNames, before: number): Statement {
  return {
    text: `DELETE FROM ${names.events} e
      WHERE e.recorded_at < $1
        AND NOT EXISTS (SELECT 1 FROM ${names.deliveries} d WHERE d.event_id = e.id AND d.status <> 'done')`,
    values: [Math.ceil(before)],
  };
}
