/**
 * `extend` as one statement: pushes the leases a relay still holds to a new end, and the
 * `ready_at` of the queues they head with them (see queues.ts), so claims keep skipping those
 * queues in the range scan instead of probing a leased head on every claim once the first
 * lease end has passed.
 */
import type { DeliveryRef } from '@tidings/core/spi';
import type { Statement } from './append.ts';
import type { TableNames } from './options.ts';

export interface ExtendedRow {
  readonly event_id: string;
  readonly consumer: string;
}

export function extendStatement(names: TableNames, refs: readonly DeliveryRef[], until: number): Statement {
  // "status NOT IN ('done', 'dead')": pending, spelled so the planner takes the primary key
  // (see outcomes.ts). Under `archive` and `delete` a done delivery is not in the table at all.
  return {
    text: `WITH r AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS r(event_id, consumer, owner)
      ), extended AS (
        UPDATE ${names.deliveries} d SET lease_until = $4
        FROM r
        WHERE d.event_id = r.event_id AND d.consumer = r.consumer AND d.status NOT IN ('done', 'dead')
          AND d.lease_owner = r.owner
        RETURNING d.event_id, d.consumer, d.ordering_key, d.position
      ), firsts AS (
        SELECT consumer, ordering_key, min(position) AS position FROM extended GROUP BY consumer, ordering_key
      ), held AS (
        -- Only where an extended delivery is the queue's head: a queue whose head is another,
        -- unleased delivery (a redriven earlier one) must stay ready. A redrive committing
        -- meanwhile can leave ready_at late; the settle of these deliveries resets it.
        UPDATE ${names.queues} q SET ready_at = GREATEST(q.ready_at, $4)
        FROM firsts f
        WHERE q.consumer = f.consumer AND q.ordering_key = f.ordering_key
          AND NOT EXISTS (
            SELECT 1 FROM ${names.deliveries} x
            WHERE x.consumer = f.consumer AND x.ordering_key = f.ordering_key AND x.status = 'pending'
              AND x.position < f.position
          )
      )
      SELECT event_id, consumer FROM extended`,
    values: [refs.map((r) => r.eventId), refs.map((r) => r.consumer), refs.map((r) => r.owner), until],
  };
}
