/**
 * Settling claimed deliveries: `complete`, `fail`, `release`, and `redrive` for dead ones.
 * Each call is one write transaction, however many refs it carries.
 */
import { ConfigurationError } from '@tidings/core';
import { type DeliveryRef, describeValue, type FailureRecord } from '@tidings/core/spi';
import type { Session } from './session.ts';

type Ref = { readonly eventId: string; readonly consumer: string };

/** Marks pending deliveries done, whoever holds the lease: the work happened. Idempotent. */
export async function completeDeliveries(session: Session, refs: readonly DeliveryRef[]): Promise<void> {
  if (refs.length === 0) return;
  const complete = session.statement(
    `UPDATE ${session.tables.deliveries}
     SET status = 'done', finished_at = ?, next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL
     WHERE event_id = ? AND consumer = ? AND status = 'pending'`,
  );
  await session.write('complete', () => {
    const now = session.clock();
    for (const ref of refs) complete.run(now, ref.eventId, ref.consumer);
  });
}

/** Counts a failed attempt of the lease holder, then schedules a retry or dead-letters. */
export async function failDelivery(
  session: Session,
  ref: DeliveryRef,
  failure: FailureRecord,
): Promise<void> {
  // A NaN retry time would be stored as NULL, which dead-letters.
  if (failure.retryAt !== null && !Number.isFinite(failure.retryAt)) {
    throw new ConfigurationError(
      `fail() needs retryAt to be milliseconds since epoch, or null to dead-letter; got ${describeValue(failure.retryAt)}.`,
    );
  }
  const fail = session.statement(
    `UPDATE ${session.tables.deliveries}
     SET attempts = attempts + 1,
         last_error = :error,
         history = json_insert(history, '$[#]', json_object('attempt', attempts + 1, 'at', :at, 'error', :error)),
         status = CASE WHEN :retryAt IS NULL THEN 'dead' ELSE 'pending' END,
         next_attempt_at = :retryAt,
         finished_at = CASE WHEN :retryAt IS NULL THEN :now ELSE NULL END,
         lease_owner = NULL,
         lease_until = NULL
     WHERE event_id = :eventId AND consumer = :consumer AND status = 'pending' AND lease_owner = :owner`,
  );
  await session.write('fail', () => {
    const now = session.clock();
    fail.run({
      error: failure.error,
      at: new Date(now).toISOString(),
      retryAt: failure.retryAt,
      now,
      eventId: ref.eventId,
      consumer: ref.consumer,
      owner: ref.owner,
    });
  });
}

/** Gives leases back, uncounted, so the deliveries can be claimed again at once. */
export async function releaseDeliveries(session: Session, refs: readonly DeliveryRef[]): Promise<void> {
  if (refs.length === 0) return;
  const release = session.statement(
    `UPDATE ${session.tables.deliveries} SET lease_owner = NULL, lease_until = NULL
     WHERE event_id = ? AND consumer = ? AND status = 'pending' AND lease_owner = ?`,
  );
  await session.write('release', () => {
    for (const ref of refs) release.run(ref.eventId, ref.consumer, ref.owner);
  });
}

/** Dead → pending, claimable now; attempts and history stay, so attempt numbers keep counting. */
export async function redriveDeliveries(session: Session, refs: readonly Ref[]): Promise<number> {
  if (refs.length === 0) return 0;
  const redrive = session.statement(
    `UPDATE ${session.tables.deliveries}
     SET status = 'pending', next_attempt_at = ?, finished_at = NULL, lease_owner = NULL, lease_until = NULL
     WHERE event_id = ? AND consumer = ? AND status = 'dead'`,
  );
  const count = await session.write('redrive', () => {
    const now = session.clock();
    let changed = 0;
    for (const ref of refs) changed += redrive.run(now, ref.eventId, ref.consumer).changes;
    return changed;
  });
  // Relays asleep until the next poll can pick the redriven deliveries up now.
  if (count > 0) session.notify();
  return count;
}
