/**
 * `claim` as one statement, safe with any number of relays, over the queue table: one row per
 * (consumer, ordering key) queue that has pending deliveries (see queues.ts). The claim is one
 * `FOR UPDATE SKIP LOCKED` range scan of a consumer's ready queues in head order; for each
 * locked queue one index probe finds its head (the first pending delivery of the queue), which
 * is leased when due and unleased. Its cost follows the number of deliveries claimed, not the
 * backlog: a hot aggregate's 2,000 followers are never walked to find its head.
 *
 * Order is guarded twice. The queue row lock serialises claimers of one queue: a claimer that
 * reaches the row after another committed re-checks `ready_at` on the new version (leased
 * until the lease ends) and drops it. And every lease is an UPDATE whose WHERE re-checks the
 * delivery's own status, due time and lease on its newest version, so a hint that is stale in
 * the queue row (`ready_at` too early) only costs a probe, never a second owner.
 *
 * Run consumers (`request.runs`) also get the followers of each head they leased, up to the
 * first one not due: a prefix of the queue. Followers are leased only behind a head this
 * statement actually leased, never on their own.
 */
import type { ClaimRequest, Delivery } from '@tidings/core/spi';
import type { Statement } from './append.ts';
import type { TableNames } from './options.ts';
import { type EventRow, eventColumns, eventFromRow } from './rows.ts';

interface ClaimedRow extends EventRow {
  readonly consumer: string;
  readonly attempts: number;
}

// A delivery whose newest version may be leased now: the UPDATEs repeat the probe's test, so
// PostgreSQL re-checks it on a row another transaction changed since this statement began.
// "status = 'pending'" would let the planner reach for the partial queue index over the key.
const leasable = (d: string) =>
  `${d}.status NOT IN ('done', 'dead') AND ${d}.next_attempt_at <= $2
    AND (${d}.lease_until IS NULL OR ${d}.lease_until <= $2)`;

/** The claimable-queues function's qualified name. */
const claimableQueues = (names: TableNames) => `${names.schema}.${names.index('claimable_queues')}`;

/**
 * The range scan, as a function so it can run with bitmap and sequential scans off. Without
 * statistics (a queue table filled since the last ANALYZE, as in every fresh deployment and
 * benchmark) the planner guesses a few dozen rows per consumer, and then prefers reading them
 * all, probing each and sorting, to walking the head index in order and stopping at the limit:
 * 0.7 s instead of 2 ms per claim at 20,000 queues. The function is created by a migration;
 * a change to its text needs a new one (CREATE OR REPLACE).
 */
export function claimableQueuesFunction(names: TableNames): string {
  return `CREATE OR REPLACE FUNCTION ${claimableQueues(names)}(wanted_consumers text[], at bigint, wanted int)
    RETURNS TABLE (consumer text, ordering_key text, event_id text, "position" bigint)
    LANGUAGE sql VOLATILE ROWS 10
    SET enable_bitmapscan = off
    SET enable_seqscan = off
    AS $fn$
      SELECT c.consumer, c.ordering_key, c.event_id, c.position
      FROM unnest(wanted_consumers) AS w(consumer)
      CROSS JOIN LATERAL (
        SELECT q.consumer, q.ordering_key, h.event_id, h.position
        FROM ${names.queues} q
        CROSS JOIN LATERAL (
          -- The queue's head: one probe of the partial queue index.
          SELECT d.event_id, d.position, d.next_attempt_at, d.lease_until
          FROM ${names.deliveries} d
          WHERE d.consumer = q.consumer AND d.ordering_key = q.ordering_key AND d.status = 'pending'
          ORDER BY d.consumer, d.ordering_key, d.position
          LIMIT 1
        ) h
        WHERE q.consumer = w.consumer AND q.ready_at <= at
          -- In the scan, so a queue whose head is not claimable does not count toward the limit.
          AND h.next_attempt_at <= at AND (h.lease_until IS NULL OR h.lease_until <= at)
        ORDER BY q.head
        LIMIT wanted
        FOR UPDATE OF q SKIP LOCKED
      ) c
      ORDER BY c.position
      LIMIT wanted
    $fn$`;
}

export function claimStatement(names: TableNames, request: ClaimRequest, now: number): Statement {
  const text = `
    WITH heads AS (
      SELECT consumer, ordering_key, event_id, position FROM ${claimableQueues(names)}($1::text[], $2::bigint, $3::int)
    ), leased_heads AS (
      UPDATE ${names.deliveries} d
      SET lease_owner = $4, lease_until = $5
      FROM heads h
      WHERE d.event_id = h.event_id AND d.consumer = h.consumer AND ${leasable('d')}
      RETURNING d.event_id, d.consumer, d.ordering_key, d.position, d.attempts, d.slot
    ), followers AS (
      -- A run consumer's head brings the rest of its queue up to the first row not due, read
      -- under the queue's lock; the total stays within the limit and, being cut in position
      -- order, keeps a prefix of every queue.
      SELECT event_id, consumer FROM (
        SELECT f.event_id, f.consumer, f.position,
          bool_and(f.due) OVER (PARTITION BY f.consumer, f.ordering_key ORDER BY f.position) AS open
        FROM leased_heads h
        CROSS JOIN LATERAL (
          SELECT x.event_id, x.consumer, x.ordering_key, x.position,
            x.next_attempt_at <= $2 AND (x.lease_until IS NULL OR x.lease_until <= $2) AS due
          FROM ${names.deliveries} x
          WHERE x.consumer = h.consumer AND x.ordering_key = h.ordering_key AND x.status = 'pending'
            AND x.position > h.position
          ORDER BY x.consumer, x.ordering_key, x.position
          LIMIT $3
        ) f
        WHERE h.consumer = ANY($6::text[])
      ) run
      WHERE open
      ORDER BY position
      LIMIT GREATEST($3 - (SELECT count(*) FROM leased_heads), 0)
    ), leased_followers AS (
      UPDATE ${names.deliveries} d
      SET lease_owner = $4, lease_until = $5
      FROM followers f
      WHERE d.event_id = f.event_id AND d.consumer = f.consumer AND ${leasable('d')}
      RETURNING d.event_id, d.consumer, d.attempts, d.slot
    ), held AS (
      -- Leased queues are not ready before the lease ends (settle makes them ready sooner).
      UPDATE ${names.queues} q SET ready_at = $5
      FROM (SELECT DISTINCT consumer, ordering_key FROM leased_heads) l
      WHERE q.consumer = l.consumer AND q.ordering_key = l.ordering_key
    )
    SELECT l.consumer, l.attempts, ${eventColumns}
    FROM (
      SELECT event_id, consumer, attempts, slot FROM leased_heads
      UNION ALL
      SELECT event_id, consumer, attempts, slot FROM leased_followers
    ) l JOIN ${names.events} e ON e.id = l.event_id
    ORDER BY e.position, l.slot`;
  return {
    text,
    values: [
      [...new Set(request.consumers)],
      now,
      request.limit,
      request.owner,
      now + request.leaseMs,
      [...new Set(request.runs ?? [])],
    ],
  };
}

export function deliveryFromRow(row: ClaimedRow, owner: string): Delivery {
  return {
    event: eventFromRow(row),
    consumer: row.consumer,
    position: Number(row.position),
    attempt: row.attempts + 1,
    owner,
  };
}

export type { ClaimedRow };
