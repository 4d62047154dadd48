/**
 * `append` as multi-row INSERTs: the events in the order given (their AUTO_INCREMENT
 * positions increase in that order, as statements on one connection run in sequence), then
 * one delivery per distinct consumer in the same order. Values the columns cannot hold are
 * refused before anything is written, naming the field, since a non-strict `sql_mode`
 * would otherwise truncate them silently.
 */
import { StoreError } from '@tidings/core';
import { type OutboxEntry, orderingKey } from '@tidings/core/spi';
import type { TableNames } from './options.ts';

export interface Statement {
  readonly sql: string;
  readonly values: readonly unknown[];
}

// Rows per INSERT and text per INSERT: well inside the default max_allowed_packet (16 MiB on MariaDB 10.11, 64 MiB on MySQL 8).
const maxRows = 500;
const maxChars = 4_000_000;

function checkLength(field: string, value: string | undefined, max: number, eventId: string): void {
  if (value !== undefined && value.length > max) {
    throw new StoreError(
      `Event ${JSON.stringify(eventId.slice(0, 80))}: ${field} is ${value.length} characters long; the MySQL ` +
        `outbox stores at most ${max}. Shorten it (e.g. use an id rather than a description).`,
      { details: { field, length: value.length, max } },
    );
  }
}

type Row = readonly unknown[];

function chunked(sql: string, rows: readonly Row[], sizes: readonly number[]): Statement[] {
  const statements: Statement[] = [];
  let start = 0;
  let chars = 0;
  for (let i = 0; i < rows.length; i++) {
    chars += sizes[i] ?? 0;
    if (i + 1 - start >= maxRows || chars >= maxChars || i === rows.length - 1) {
      statements.push({ sql, values: [rows.slice(start, i + 1)] });
      start = i + 1;
      chars = 0;
    }
  }
  return statements;
}

export function appendStatements(
  names: TableNames,
  entries: readonly OutboxEntry[],
  now: number,
): Statement[] {
  const events: Row[] = [];
  const sizes: number[] = [];
  const deliveries: Row[] = [];
  for (const { event, consumers } of entries) {
    const id = event.id;
    checkLength('id', id, 255, id);
    checkLength('type', event.type, 255, id);
    checkLength('subject.type', event.subject?.type, 255, id);
    checkLength('subject.id', event.subject?.id, 255, id);
    checkLength('correlationId', event.correlationId, 255, id);
    checkLength('causationId', event.causationId, 255, id);
    checkLength('occurredAt', event.occurredAt, 64, id);
    const key = orderingKey(event);
    checkLength('the ordering key (subject type:id)', key, 500, id);
    const occurredMs = Date.parse(event.occurredAt);
    const metadata = JSON.stringify(event.metadata ?? {});
    const payload = JSON.stringify(event.payload) ?? 'null';
    events.push([
      id,
      event.type,
      event.version,
      Number.isNaN(occurredMs) ? null : occurredMs,
      event.occurredAt,
      event.subject?.type ?? null,
      event.subject?.id ?? null,
      event.subject?.sequence ?? null,
      event.correlationId,
      event.causationId ?? null,
      metadata,
      payload,
      now,
    ]);
    sizes.push(metadata.length + payload.length);
    // A consumer named twice is owed the event once.
    [...new Set(consumers)].forEach((consumer, slot) => {
      checkLength('a consumer name', consumer, 255, id);
      deliveries.push([id, consumer, slot, key, 'pending', now, '[]']);
    });
  }
  return [
    ...chunked(
      `INSERT INTO ${names.events} (id, type, version, occurred_ms, occurred_at, subject_type, subject_id,
        subject_sequence, correlation_id, causation_id, metadata, payload, recorded_at) VALUES ?`,
      events,
      sizes,
    ),
    ...chunked(
      `INSERT INTO ${names.deliveries} (event_id, consumer, slot, ordering_key, status, next_attempt_at, history) VALUES ?`,
      deliveries,
      [],
    ),
  ];
}
