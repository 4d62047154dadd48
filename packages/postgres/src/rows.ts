/**
 * Turning rows into the port's plain values. JSON columns are selected as text and parsed
 * here, and BIGINTs converted here, so a pool with custom type parsers cannot change what
 * the store returns.
 */
import type { AnyDomainEvent, AttemptRecord, DeliveryInfo, DeliveryStatus, StoredEvent } from '@tidings/core';
import { freezeParsedJson } from '@tidings/core/spi';

/** The event columns every event-returning query selects, from the events table as `e`. */
export const eventColumns = `e.position, e.id, e.type, e.version, e.occurred_at_text, e.subject_type,
  e.subject_id, e.subject_sequence, e.correlation_id, e.causation_id,
  e.metadata::text AS metadata, e.payload::text AS payload`;

/** The delivery columns `deliveryInfo` reads, from the deliveries table as `d`. */
export const deliveryColumns = `d.event_id, d.consumer, d.status, d.attempts, d.last_error,
  d.history::text AS history, d.next_attempt_at, d.finished_at`;

export interface EventRow {
  readonly position: string | number;
  readonly id: string;
  readonly type: string;
  readonly version: number;
  readonly occurred_at_text: string;
  readonly subject_type: string | null;
  readonly subject_id: string | null;
  readonly subject_sequence: string | number | null;
  readonly correlation_id: string;
  readonly causation_id: string | null;
  readonly metadata: string;
  readonly payload: string;
}

export interface DeliveryRow {
  readonly event_id: string;
  readonly consumer: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly last_error: string | null;
  readonly history: string;
  readonly next_attempt_at: string | number;
  readonly finished_at: string | number | null;
}

/** Rebuilds the envelope with the keys in the order `defineEvent` creates them, frozen. */
export function eventFromRow(row: EventRow): AnyDomainEvent {
  const event: Record<string, unknown> = {
    id: row.id,
    type: row.type,
    version: row.version,
    occurredAt: row.occurred_at_text,
  };
  if (row.subject_type !== null && row.subject_id !== null) {
    event.subject = Object.freeze(
      row.subject_sequence === null
        ? { type: row.subject_type, id: row.subject_id }
        : { type: row.subject_type, id: row.subject_id, sequence: Number(row.subject_sequence) },
    );
  }
  event.correlationId = row.correlation_id;
  if (row.causation_id !== null) event.causationId = row.causation_id;
  // Each part frozen as it is made: fresh from JSON.parse, so no generic deepFreeze walk.
  event.metadata = freezeParsedJson(JSON.parse(row.metadata));
  event.payload = freezeParsedJson(JSON.parse(row.payload));
  return Object.freeze(event) as unknown as AnyDomainEvent;
}

export function storedEventFromRow(row: EventRow): StoredEvent {
  return { position: Number(row.position), event: eventFromRow(row) };
}

export function deliveryInfoFromRow(row: DeliveryRow): DeliveryInfo {
  const history = (JSON.parse(row.history) as AttemptRecord[]).map(
    // JSONB reorders keys; give them back in the port's order.
    ({ attempt, at, error }): AttemptRecord => ({ attempt, at, error }),
  );
  return {
    eventId: row.event_id,
    consumer: row.consumer,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error ?? undefined,
    history,
    nextAttemptAt: row.status === 'pending' ? Number(row.next_attempt_at) : undefined,
    finishedAt: row.finished_at === null ? undefined : Number(row.finished_at),
  };
}
