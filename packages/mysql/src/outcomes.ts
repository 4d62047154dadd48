/**
 * What a relay reports back about claimed deliveries: done, failed (retry or dead-letter),
 * released, and the operator's redrive. A batch is one statement whose refs are spelled as
 * `(event_id = ? AND consumer = ?) OR …`: MariaDB plans a one-element row-constructor
 * `IN ((?, ?))` as a full scan, which under REPEATABLE READ would lock every row.
 */
import type { DeliveryRef } from '@tidings/core/spi';
import type { Statement } from './append.ts';
import type { TableNames } from './options.ts';

/** What a failed try records: the error, and the retry time or null to dead-letter. */
export interface FailureRecord {
  readonly error: string;
  readonly retryAt: number | null;
}

type Key = { readonly eventId: string; readonly consumer: string };

/** The WHERE condition matching exactly these refs on the unique (event_id, consumer) key, and its values. */
function matching(refs: readonly Key[]): { readonly condition: string; readonly values: unknown[] } {
  return {
    condition: `(${refs.map(() => '(event_id = ? AND consumer = ?)').join(' OR ')})`,
    values: refs.flatMap((r) => [r.eventId, r.consumer]),
  };
}

/** The same, each ref also requiring its own lease owner. */
export function matchingOwned(refs: readonly DeliveryRef[]): {
  readonly condition: string;
  readonly values: unknown[];
} {
  return {
    condition: `(${refs.map(() => '(event_id = ? AND consumer = ? AND lease_owner = ?)').join(' OR ')})`,
    values: refs.flatMap((r) => [r.eventId, r.consumer, r.owner]),
  };
}

/** Marks pending deliveries done, whoever holds the lease: the work was delivered. */
export function completeStatement(names: TableNames, refs: readonly DeliveryRef[], now: number): Statement {
  const { condition, values } = matching(refs);
  return {
    sql: `UPDATE ${names.deliveries}
      SET status = 'done', finished_at = ?, lease_owner = NULL, lease_until = NULL
      WHERE ${condition} AND status = 'pending'`,
    values: [now, ...values],
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
  const { condition, values } = matchingOwned(refs);
  return {
    sql: `UPDATE ${names.deliveries} SET lease_owner = NULL, lease_until = NULL
      WHERE ${condition} AND status = 'pending'`,
    values,
  };
}

/** Makes dead deliveries pending and due now; attempts and history stay. */
export function redriveStatement(names: TableNames, refs: readonly Key[], now: number): Statement {
  const { condition, values } = matching(refs);
  return {
    sql: `UPDATE ${names.deliveries}
      SET status = 'pending', next_attempt_at = ?, finished_at = NULL, lease_owner = NULL, lease_until = NULL
      WHERE status = 'dead' AND ${condition}`,
    values: [now, ...values],
  };
}
