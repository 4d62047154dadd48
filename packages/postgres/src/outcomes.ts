/**
 * What a relay reports back about claimed deliveries (`settle`: done, retry, dead,
 * released) and the operator's redrive. Batched refs travel as arrays and are joined with
 * `unnest`, so a batch is one statement.
 */
import type { DeliveryOutcome } from '@tidings/core/spi';
import type { Statement } from './append.ts';
import type { CompletionMode, TableNames } from './options.ts';
import { dequeue, enqueue } from './queues.ts';

type Key = { readonly eventId: string; readonly consumer: string };

// Pending, written so it does not imply the partial queue index's predicate: with
// "status = 'pending'" the planner may walk a consumer's whole queue index per outcome (2.5 ms
// each at a 5k backlog, before ANALYZE) instead of using the primary key.
const pending = (d: string) => `${d}.status NOT IN ('done', 'dead')`;

const columns = (refs: readonly Key[]) => [refs.map((r) => r.eventId), refs.map((r) => r.consumer)];

// PostgreSQL text cannot hold NUL; an error message must never make recording a failure fail.
const text = (value: string) => value.replaceAll('\u0000', '\uFFFD');

/**
 * A round's outcomes in one statement. `done` finishes a pending delivery whoever holds the
 * lease (the work happened); retry, dead and released need the caller's lease. Under
 * `archive` and `delete` a done delivery leaves the claim table in the same statement.
 */
export function settleStatement(
  names: TableNames,
  outcomes: readonly DeliveryOutcome[],
  now: number,
  completion: CompletionMode,
): Statement {
  const failed = (o: DeliveryOutcome) => o.outcome === 'retry' || o.outcome === 'dead';
  const inPlace = completion === 'keep';
  const finished = inPlace
    ? ''
    : `, finished AS (
        DELETE FROM ${names.deliveries} d USING r
        WHERE r.outcome = 'done' AND d.event_id = r.event_id AND d.consumer = r.consumer AND ${pending('d')}
        RETURNING d.event_id, d.consumer, d.slot, d.position, d.ordering_key, d.attempts, d.last_error, d.history
      )${
        completion === 'archive'
          ? `, archived AS (
        INSERT INTO ${names.done} (event_id, consumer, slot, position, attempts, last_error, history, finished_at)
        SELECT event_id, consumer, slot, position, attempts, last_error, history, $8::bigint FROM finished
        ON CONFLICT DO NOTHING
      )`
          : ''
      }`;
  const settled = inPlace
    ? 'SELECT consumer, ordering_key, position, status, next_attempt_at FROM changed'
    : `SELECT consumer, ordering_key, position, status, next_attempt_at FROM changed
        UNION ALL SELECT consumer, ordering_key, position, 'done', 0 FROM finished`;
  return {
    text: `WITH r AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
          AS r(event_id, consumer, owner, outcome, error, retry_at)
      )${finished}, changed AS (
        UPDATE ${names.deliveries} d
        SET status = CASE r.outcome WHEN 'done' THEN 'done' WHEN 'dead' THEN 'dead' ELSE 'pending' END,
          attempts = d.attempts + CASE WHEN r.error IS NULL THEN 0 ELSE 1 END,
          last_error = COALESCE(r.error, d.last_error),
          history = CASE WHEN r.error IS NULL THEN d.history
            ELSE d.history || jsonb_build_array(jsonb_build_object('attempt', d.attempts + 1, 'at', $7::text, 'error', r.error)) END,
          next_attempt_at = COALESCE(r.retry_at, d.next_attempt_at),
          finished_at = CASE WHEN r.outcome IN ('done', 'dead') THEN $8::bigint ELSE NULL END,
          lease_owner = NULL,
          lease_until = NULL
        FROM r
        WHERE d.event_id = r.event_id AND d.consumer = r.consumer AND ${pending('d')}
          AND ${inPlace ? `(r.outcome = 'done' OR d.lease_owner = r.owner)` : `r.outcome <> 'done' AND d.lease_owner = r.owner`}
        RETURNING d.consumer, d.ordering_key, d.position, d.status, d.next_attempt_at
      ), settled AS (
        ${settled}
      ), ${dequeue(names, 'settled', '$8::bigint')}
      SELECT count(*)::int AS settled FROM settled`,
    values: [
      ...columns(outcomes),
      outcomes.map((o) => o.owner),
      outcomes.map((o) => o.outcome),
      outcomes.map((o) => (failed(o) ? text((o as { error: string }).error) : null)),
      outcomes.map((o) => (o.outcome === 'retry' ? Math.floor(o.retryAt) : null)),
      new Date(now).toISOString(),
      now,
    ],
  };
}

/** Makes dead deliveries pending and due now, back in their queues; attempts and history stay. */
export function redriveStatement(names: TableNames, refs: readonly Key[], now: number): Statement {
  return {
    text: `WITH redriven AS (
        UPDATE ${names.deliveries} d
        SET status = 'pending', next_attempt_at = $3, finished_at = NULL, lease_owner = NULL, lease_until = NULL
        WHERE d.status = 'dead'
          AND (d.event_id, d.consumer) IN (SELECT * FROM unnest($1::text[], $2::text[]))
        RETURNING d.consumer, d.ordering_key, d.position
      ), queued AS (
        ${enqueue(names, 'redriven', '$3::bigint', true)}
      )
      SELECT count(*)::int AS redriven FROM redriven`,
    values: [...columns(refs), now],
  };
}
