/**
 * `append` as one SQL statement, whatever the batch size: columns travel as arrays and
 * `unnest … WITH ORDINALITY` turns them back into rows in the order given, so positions
 * (a BIGSERIAL) increase in that order. The deliveries insert reads the positions from the
 * events insert in the same statement, each delivery joins its (consumer, key) queue row
 * (queues.ts), and the NOTIFY rides along when any delivery was written; PostgreSQL delivers
 * it only if the caller's transaction commits. The queue row stays locked until then, so
 * transactions appending to one subject commit one after the other.
 */
import { type OutboxEntry, orderingKey } from '@tidings/core/spi';
import type { TableNames } from './options.ts';
import { enqueue } from './queues.ts';

export interface Statement {
  readonly text: string;
  readonly values: readonly unknown[];
}

export function appendStatement(
  names: TableNames,
  entries: readonly OutboxEntry[],
  now: number,
  notify: boolean,
): Statement {
  const ev = {
    id: [] as string[],
    type: [] as string[],
    version: [] as number[],
    occurredMs: [] as (number | null)[],
    occurredText: [] as string[],
    subjectType: [] as (string | null)[],
    subjectId: [] as (string | null)[],
    subjectSequence: [] as (number | null)[],
    correlationId: [] as string[],
    causationId: [] as (string | null)[],
    metadata: [] as string[],
    payload: [] as string[],
  };
  const del = {
    eventId: [] as string[],
    consumer: [] as string[],
    slot: [] as number[],
    key: [] as string[],
  };
  for (const { event, consumers } of entries) {
    const occurredMs = Date.parse(event.occurredAt);
    ev.id.push(event.id);
    ev.type.push(event.type);
    ev.version.push(event.version);
    ev.occurredMs.push(Number.isNaN(occurredMs) ? null : occurredMs);
    ev.occurredText.push(event.occurredAt);
    ev.subjectType.push(event.subject?.type ?? null);
    ev.subjectId.push(event.subject?.id ?? null);
    ev.subjectSequence.push(event.subject?.sequence ?? null);
    ev.correlationId.push(event.correlationId);
    ev.causationId.push(event.causationId ?? null);
    ev.metadata.push(JSON.stringify(event.metadata ?? {}));
    ev.payload.push(JSON.stringify(event.payload) ?? 'null');
    const key = orderingKey(event);
    // A consumer named twice is owed the event once.
    [...new Set(consumers)].forEach((consumer, slot) => {
      del.eventId.push(event.id);
      del.consumer.push(consumer);
      del.slot.push(slot);
      del.key.push(key);
    });
  }
  const wake = notify ? "pg_notify($18, '')" : 'NULL';
  const text = `
    WITH input AS (
      SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::float8[], $5::text[], $6::text[], $7::text[],
        $8::bigint[], $9::text[], $10::text[], $11::text[], $12::text[])
        WITH ORDINALITY AS t(id, type, version, occurred_ms, occurred_text, subject_type, subject_id,
          subject_sequence, correlation_id, causation_id, metadata, payload, ord)
    ), new_events AS (
      INSERT INTO ${names.events} (id, type, version, occurred_at, occurred_at_text, subject_type, subject_id,
        subject_sequence, correlation_id, causation_id, metadata, payload, recorded_at)
      SELECT id, type, version, to_timestamp(occurred_ms / 1000.0), occurred_text, subject_type, subject_id,
        subject_sequence, correlation_id, causation_id, metadata::json, payload::json, $13
      FROM input ORDER BY ord
      RETURNING id, position
    ), new_deliveries AS (
      INSERT INTO ${names.deliveries} (event_id, consumer, slot, position, ordering_key, status, next_attempt_at)
      SELECT d.event_id, d.consumer, d.slot, e.position, d.ordering_key, 'pending', $13
      FROM unnest($14::text[], $15::text[], $16::int[], $17::text[]) AS d(event_id, consumer, slot, ordering_key)
      JOIN new_events e ON e.id = d.event_id
      RETURNING consumer, ordering_key, position
    ), queued AS (
      ${enqueue(names, 'new_deliveries', '$13::bigint', false)}
    )
    SELECT ${wake} AS notified FROM (SELECT 1 FROM new_deliveries LIMIT 1) AS any_delivery`;
  return {
    text,
    values: [
      ev.id,
      ev.type,
      ev.version,
      ev.occurredMs,
      ev.occurredText,
      ev.subjectType,
      ev.subjectId,
      ev.subjectSequence,
      ev.correlationId,
      ev.causationId,
      ev.metadata,
      ev.payload,
      now,
      del.eventId,
      del.consumer,
      del.slot,
      del.key,
      ...(notify ? [names.channel] : []),
    ],
  };
}
