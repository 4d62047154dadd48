/**
 * The queue table: one row per (consumer, ordering key) with pending deliveries, kept up to
 * date by the statements that change what is pending (append, settle, redrive), so a claim
 * scans queues instead of deliveries. A row holds:
 * - `pending`: how many deliveries of the queue are pending. Exact: every change is an
 *   increment or decrement by the rows the same statement changed, and the row goes when it
 *   reaches zero. The row lock taken by those statements is what serialises them per queue.
 * - `ready_at`: no later than the time the queue's head can be claimed (due, lease over).
 *   A hint in one direction only: too early costs the claim one probe, never a wrong lease,
 *   because the claim re-checks the delivery itself.
 * - `head`: the claim's sort key, about the position of the head; only fairness depends on it.
 *
 * Every fragment here is a CTE over rows another CTE of the same statement RETURNED, so the
 * counts follow what really changed, and every expression reads the queue row's own columns,
 * which PostgreSQL re-evaluates on the newest version when a concurrent statement changed it.
 */
import type { TableNames } from './options.ts';

/**
 * Adds the deliveries `source` returned (consumer, ordering_key, position) to their queues,
 * creating the queues that were empty with `readyAt` (an SQL expression). Rows are locked in
 * key order, so two appends over the same keys wait for each other instead of deadlocking.
 */
export function enqueue(names: TableNames, source: string, readyAt: string, readyExisting: boolean): string {
  return `INSERT INTO ${names.queues} AS q (consumer, ordering_key, head, pending, ready_at)
      SELECT consumer, ordering_key, min(position), count(*), ${readyAt}
      FROM ${source} GROUP BY consumer, ordering_key ORDER BY consumer, ordering_key
      ON CONFLICT (consumer, ordering_key) DO UPDATE
      SET pending = q.pending + excluded.pending, head = LEAST(q.head, excluded.head)${
        readyExisting ? ', ready_at = LEAST(q.ready_at, excluded.ready_at)' : ''
      }`;
}

/**
 * Applies settled deliveries (`source`: consumer, ordering_key, position, status and
 * next_attempt_at after the settle) to their queues: finished ones (done, dead) leave the
 * count; the queue is ready again from the earliest delivery the batch left pending (its
 * next attempt), or now when the batch finished what it held. Emptied queues are deleted;
 * one that an append refilled meanwhile fails the DELETE's re-check and is updated instead.
 * Returns the CTEs' text, to follow a `WITH … source AS (…)` list.
 */
export function dequeue(names: TableNames, source: string, now: string): string {
  return `per_queue AS (
        SELECT consumer, ordering_key,
          count(*) FILTER (WHERE status <> 'pending') AS gone,
          min(position) FILTER (WHERE status = 'pending') AS first_left,
          max(position) AS last,
          (array_agg(next_attempt_at ORDER BY position) FILTER (WHERE status = 'pending'))[1] AS ready
        FROM ${source} GROUP BY consumer, ordering_key
      ), emptied AS (
        DELETE FROM ${names.queues} q USING per_queue p
        WHERE q.consumer = p.consumer AND q.ordering_key = p.ordering_key
          AND p.first_left IS NULL AND q.pending <= p.gone
        RETURNING q.consumer, q.ordering_key
      ), requeued AS (
        UPDATE ${names.queues} q
        SET pending = q.pending - p.gone,
          head = COALESCE(p.first_left, p.last + 1),
          ready_at = COALESCE(p.ready, ${now})
        FROM per_queue p
        WHERE q.consumer = p.consumer AND q.ordering_key = p.ordering_key
          AND NOT EXISTS (SELECT 1 FROM emptied e WHERE e.consumer = p.consumer AND e.ordering_key = p.ordering_key)
      )`;
}
