/**
 * What a relay reports back about claimed deliveries: done, failed (retry or dead-letter),
 * released, and the operator's redrive. Batched refs travel as arrays and are joined with
 * `unnest`, so a batch is one statement.
 */
import type { DeliveryRef, FailureRecord } from '@tidings/core/spi';
import type { Statement } from './append.ts';
import type { TableNames } from './options.ts';

type Key = { readonly eventId: string; readonly consumer: string };

const columns = (refs: readonly Key[]) => [refs.map((r) => r.eventId), refs.map((r) => r.consumer)];

// PostgreSQL text cannot hold NUL; an error message must never make recording a failure fail.
const text = (value: string) => value.replaceAll('\u0000', '\uFFFD');

/** Marks pending deliveries done, whoever holds the lease: the work was delivered. */
export function completeStatement(names: TableNames, refs: readonly DeliveryRef[], now: number): Statement {
  return {
    text: `UPDATE ${names.deliveries} d
      SET status = 'done', finished_at = $3, lease_owner = NULL, lease_until = NULL
      FROM unnest($1::text[], $2::text[]) AS r(event_id, consumer)
      WHERE d.event_id = r.event_id AND d.consumer = r.consumer AND d.status = 'pending'`,
    values: [...columns(refs), now],
  };
}

/** Counts a failed attempt of the lease owner; schedules a retry or dead-letters. */
export function failStatement(
  names: TableNames,
  ref: DeliveryRef,
  failure: FailureRecord,
  now: number,
): Statement {
  const error = text(failure.error);
  return {
    text: `UPDATE ${names.deliveries}
      SET attempts = attempts + 1,
        last_error = $4,
        history = history || jsonb_build_array(jsonb_build_object('attempt', attempts + 1, 'at', $5::text, 'error', $4::text)),
        status = CASE WHEN $6::bigint IS NULL THEN 'dead' ELSE 'pending' END,
        next_attempt_at = COALESCE($6::bigint, next_attempt_at),
        finished_at = CASE WHEN $6::bigint IS NULL THEN $7::bigint ELSE NULL END,
        lease_owner = NULL,
        lease_until = NULL
      WHERE event_id = $1 AND consumer = $2 AND status = 'pending' AND lease_owner = $3`,
    values: [
      ref.eventId,
      ref.consumer,
      ref.owner,
      error,
      new Date(now).toISOString(),
      failure.retryAt === null ? null : Math.floor(failure.retryAt),
      now,
    ],
  };
}

/** Gives leases back, without counting an attempt, when the caller still owns them. */
export function releaseStatement(names: TableNames, refs: readonly DeliveryRef[]): Statement {
  return {
    text: `UPDATE ${names.deliveries} d
      SET lease_owner = NULL, lease_until = NULL
      FROM unnest($1::text[], $2::text[], $3::text[]) AS r(event_id, consumer, owner)
      WHERE d.event_id = r.event_id AND d.consumer = r.consumer AND d.lease_owner = r.owner
        AND d.status = 'pending'`,
    values: [...columns(refs), refs.map((r) => r.owner)],
  };
}

/** Makes dead deliveries pending and due now; attempts and history stay. */
export function redriveStatement(names: TableNames, refs: readonly Key[], now: number): Statement {
  return {
    text: `UPDATE ${names.deliveries} d
      SET status = 'pending', next_attempt_at = $3, finished_at = NULL, lease_owner = NULL, lease_until = NULL
      WHERE d.status = 'dead'
        AND (d.event_id, d.consumer) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    values: [...columns(refs), now],
  };
}
