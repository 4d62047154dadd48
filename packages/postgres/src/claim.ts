/**
 * `claim` as one statement, safe with any number of relays. A delivery is a candidate when
 * it is pending, due, not under a live lease, and the HEAD of its (consumer, ordering key)
 * queue: no earlier pending delivery of that consumer and key exists. The head stays
 * 'pending' while leased or waiting for a retry, so it keeps parking its followers; a
 * dead-lettered head stops being pending and unblocks them.
 *
 * Run consumers (`request.runs`) also get the followers of each claimed head, up to the
 * first one not due: a prefix of the queue, under the head's lock.
 *
 * Each consumer is scanned on its own, in position order, so the limit stops the scan early.
 * `FOR UPDATE SKIP LOCKED` makes concurrent claimers pass over rows another claimer is
 * leasing; if that claimer has already committed when the row is reached, PostgreSQL
 * re-checks the lease condition on the new row version and drops it. A follower cannot
 * slip through: in every claimer's snapshot its head is still pending.
 */
import type { ClaimRequest, Delivery } from '@tidings/core/spi';
import type { Statement } from './append.ts';
import type { TableNames } from './options.ts';
import { type EventRow, eventColumns, eventFromRow } from './rows.ts';

interface ClaimedRow extends EventRow {
  readonly consumer: string;
  readonly attempts: number;
}

export function claimStatement(names: TableNames, request: ClaimRequest, now: number): Statement {
  // One lateral scan per consumer, each walking that consumer's pending index in position
  // order and stopping at the limit, then merged. A single scan with "consumer = ANY(...)"
  // lets the planner sort every pending row first, or walk other consumers' rows.
  const text = `
    WITH heads AS (
      SELECT c.event_id, c.consumer, c.ordering_key, c.position
      FROM unnest($1::text[]) AS wanted(consumer)
      CROSS JOIN LATERAL (
        SELECT d.event_id, d.consumer, d.ordering_key, d.position
        FROM ${names.deliveries} d
        WHERE d.consumer = wanted.consumer
          AND d.status = 'pending'
          AND d.next_attempt_at <= $2
          AND (d.lease_until IS NULL OR d.lease_until <= $2)
          -- The head of its (consumer, key) queue. Written as a per-row LIMIT 1 lookup, not
          -- NOT EXISTS: on a freshly filled, not yet analysed table the planner turns NOT
          -- EXISTS into an anti-join that scans the whole queue per row (32 s at 10k rows).
          AND d.position = (
            SELECT h.position FROM ${names.deliveries} h
            WHERE h.consumer = d.consumer AND h.ordering_key = d.ordering_key AND h.status = 'pending'
              -- Indexable only on the queue index (see the followers below).
              AND (h.ordering_key, h.position) <= (d.ordering_key, d.position)
            ORDER BY h.consumer, h.ordering_key, h.position
            LIMIT 1
          )
        ORDER BY d.position
        LIMIT $3
        FOR UPDATE SKIP LOCKED
      ) c
      ORDER BY c.position
      LIMIT $3
    ), followers AS (
      -- A run consumer's head brings the rest of its queue up to the first row not due.
      -- Unlocked read, but safe: followers are only ever leased together with their head,
      -- and this statement holds the head's row lock.
      SELECT f.event_id, f.consumer, f.position,
        bool_and(f.due) OVER (PARTITION BY f.consumer, f.ordering_key ORDER BY f.position) AS open
      FROM heads h
      CROSS JOIN LATERAL (
        SELECT x.event_id, x.consumer, x.ordering_key, x.position,
          x.next_attempt_at <= $2 AND (x.lease_until IS NULL OR x.lease_until <= $2) AS due
        FROM ${names.deliveries} x
        -- The row comparison is an index condition only on the queue index: on a table not
        -- yet analysed the planner otherwise walks the consumer's whole backlog per head.
        WHERE x.consumer = h.consumer AND x.ordering_key = h.ordering_key AND x.status = 'pending'
          AND (x.ordering_key, x.position) > (h.ordering_key, h.position)
        ORDER BY x.consumer, x.ordering_key, x.position
        LIMIT $3
      ) f
      WHERE h.consumer = ANY($6::text[])
    ), candidates AS (
      SELECT event_id, consumer, position FROM heads
      UNION ALL
      SELECT event_id, consumer, position FROM followers WHERE open
      ORDER BY position
      LIMIT $3
    ), leased AS (
      UPDATE ${names.deliveries} d
      SET lease_owner = $4, lease_until = $5
      FROM candidates c
      -- Not "status = 'pending'", which lets the planner pick a partial index over the key.
      WHERE d.event_id = c.event_id AND d.consumer = c.consumer AND d.status <> 'done'
      RETURNING d.event_id, d.consumer, d.attempts, d.slot
    )
    SELECT l.consumer, l.attempts, ${eventColumns}
    FROM leased l JOIN ${names.events} e ON e.id = l.event_id
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
