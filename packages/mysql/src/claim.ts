/**
 * `claim` as one short READ COMMITTED transaction, safe with any number of relays. A
 * delivery is a candidate when it is pending, due, not under a live lease, and the HEAD of
 * its (consumer, ordering key) queue: no earlier pending delivery of that consumer and key
 * exists. The head stays 'pending' while leased or waiting for a retry, so it keeps parking
 * its followers; a dead-lettered head stops being pending and unblocks them.
 *
 * Each consumer's queue is walked in `seq` order on its own index and stops at the limit;
 * `FOR UPDATE SKIP LOCKED` passes over rows another claimer is leasing, and InnoDB's locking
 * read sees the newest committed version of each row, so a lease just committed by another
 * relay excludes it. The head test is a plain (consistent) read: a head locked by another
 * claimer still counts as pending, so a follower cannot slip through. READ COMMITTED keeps
 * InnoDB from taking gap locks that would make concurrent appends wait for claims.
 */
import type { ClaimRequest, Delivery } from '@tidings/core/spi';
import type { PoolConnection } from 'mysql2/promise';
import { run } from './connection.ts';
import type { TableNames } from './options.ts';
import { type EventRow, eventColumns, eventFromRow } from './rows.ts';

interface Candidate {
  readonly seq: number | string;
}

interface ClaimedRow extends EventRow {
  readonly consumer: string;
  readonly attempts: number | string;
}

/** Runs inside the caller's transaction: finds and leases the candidates, returns their seqs. */
export async function leaseCandidates(
  connection: PoolConnection,
  names: TableNames,
  request: ClaimRequest,
  now: number,
): Promise<number[]> {
  const found: number[] = [];
  for (const consumer of new Set(request.consumers)) {
    const rows = await run<Candidate[]>(
      connection,
      `SELECT d.seq FROM ${names.deliveries} d FORCE INDEX (deliveries_pending)
        WHERE d.consumer = ? AND d.status = 'pending' AND d.next_attempt_at <= ?
          AND (d.lease_until IS NULL OR d.lease_until <= ?)
          AND NOT EXISTS (
            SELECT 1 FROM ${names.deliveries} h FORCE INDEX (deliveries_queue)
            WHERE h.consumer = d.consumer AND h.status = 'pending' AND h.ordering_key = d.ordering_key
              AND h.seq < d.seq
          )
        ORDER BY d.seq
        LIMIT ?
        FOR UPDATE SKIP LOCKED`,
      [consumer, now, now, request.limit],
    );
    for (const row of rows) found.push(Number(row.seq));
  }
  // Several consumers: keep the earliest; the other locked rows are let go at commit.
  const chosen = found.sort((a, b) => a - b).slice(0, request.limit);
  if (chosen.length > 0) {
    await run(
      connection,
      `UPDATE ${names.deliveries} SET lease_owner = ?, lease_until = ? WHERE seq IN (?)`,
      [request.owner, now + request.leaseMs, chosen],
    );
  }
  return chosen;
}

/** Reads the leased deliveries with their events, in position order. */
export async function leasedDeliveries(
  connection: PoolConnection,
  names: TableNames,
  seqs: readonly number[],
  owner: string,
): Promise<Delivery[]> {
  if (seqs.length === 0) return [];
  const rows = await run<ClaimedRow[]>(
    connection,
    `SELECT d.consumer, d.attempts, ${eventColumns}
      FROM ${names.deliveries} d JOIN ${names.events} e ON e.id = d.event_id
      WHERE d.seq IN (?)
      ORDER BY e.position, d.slot`,
    [seqs],
  );
  return rows.map(
    (row): Delivery => ({
      event: eventFromRow(row),
      consumer: row.consumer,
      position: Number(row.position),
      attempt: Number(row.attempts) + 1,
      owner,
    }),
  );
}
