/**
 * What a relay reports back about claimed deliveries: done, failed (retry or dead-letter),
 * released, and the operator's redrive. Batched refs travel as one row-constructor list, so
 * a batch is one statement.
 */
import type { DeliveryRef, FailureRecord } from '@tidings/core';
import type { Statement } from './append.ts';
import type { TableNames } from './options.ts';

type Key = { readonly eventId: string; readonly consumer: string };

const pairs = (refs: readonly Key[]) => refs.map((r) => [r.eventId, r.consumer]);

/** Marks pending deliveries done, whoever holds the lease: the work was delivered. */
export function completeStatement(names: TableNames, refs: readonly DeliveryRef[], now: number): Statement {
  return {
    sql: `UPDATE ${names.deliveries}
      SET status = 'done', finished_at = ?, lease_owner = NULL, lease_until = NULL
      WHERE (event_id, consumer) IN (?) AND status = 'pending'`,
    values: [now, pairs(refs)],
  };
}

/** Counts a failed attempt of the lease owner; schedules a retry or dead-letters. */
export function failStatement(
  names: TableNames,
  ref: DeliveryRef,
  failure: FailureRecord,
  now: number,
): Statement {
  const retryAt = failure.retryAt === null ? null : Math.floor(failure.retryAt);
  // MySQL assigns left to right, later expressions seeing earlier results: `history` reads
  // the old `attempts`, so it comes before `attempts` changes.
  return {
    sql: `UPDATE ${names.deliveries}
      SET history = JSON_ARRAY_APPEND(history, '$', JSON_OBJECT('attempt', attempts + 1, 'at', ?, 'error', ?)),
        last_error = ?,
        status = IF(? IS NULL, 'dead', 'pending'),
        next_attempt_at = COALESCE(?, next_attempt_at),
        finished_at = IF(? IS NULL, ?, NULL),
        lease_owner = NULL,
        lease_until = NULL,
        attempts = attempts + 1
      WHERE event_id = ? AND consumer = ? AND status = 'pending' AND lease_owner = ?`,
    values: [
      new Date(now).toISOString(),
      failure.error,
      failure.error,
      retryAt,
      retryAt,
      retryAt,
      now,
      ref.eventId,
      ref.consumer,
      ref.owner,
    ],
  };
}

/** Gives leases back, without counting an attempt, when the caller still owns them. */
export function releaseStatement(names: TableNames, refs: readonly DeliveryRef[]): Statement {
  return {
    sql: `UPDATE ${names.deliveries} SET lease_owner = NULL, lease_until = NULL
      WHERE (event_id, consumer, lease_owner) IN (?) AND status = 'pending'`,
    values: [refs.map((r) => [r.eventId, r.consumer, r.owner])],
  };
}

/** Makes dead deliveries pending and due now; attempts and history stay. */
export function redriveStatement(names: TableNames, refs: readonly Key[], now: number): Statement {
  return {
    sql: `UPDATE ${names.deliveries}
      SET status = 'pending', next_attempt_at = ?, finished_at = NULL, lease_owner = NULL, lease_until = NULL
      WHERE status = 'dead' AND (event_id, consumer) IN (?)`,
    values: [now, pairs(refs)],
  };
}
