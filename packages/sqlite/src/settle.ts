/**
 * Settling claimed deliveries (`settle`) and redriving dead ones. Each call is one write
 * transaction, however many deliveries it carries.
 */
import { checkOutcomes, type DeliveryOutcome } from '@tidings/core/spi';
import type { Session } from './session.ts';

type Ref = { readonly eventId: string; readonly consumer: string };

/**
 * Applies a round's outcomes in one write transaction. `done` finishes a pending delivery
 * whoever holds the lease (the work happened); the others need the caller's lease.
 */
export async function settleDeliveries(
  session: Session,
  outcomes: readonly DeliveryOutcome[],
): Promise<void> {
  if (outcomes.length === 0) return;
  checkOutcomes(outcomes);
  const { deliveries } = session.tables;
  const complete = session.statement(
    `UPDATE ${deliveries}
     SET status = 'done', finished_at = ?, next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL
     WHERE event_id = ? AND consumer = ? AND status = 'pending'`,
  );
  const fail = session.statement(
    `UPDATE ${deliveries}
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
  const release = session.statement(
    `UPDATE ${deliveries} SET lease_owner = NULL, lease_until = NULL
     WHERE event_id = ? AND consumer = ? AND status = 'pending' AND lease_owner = ?`,
  );
  await session.write('settle', () => {
    const now = session.clock();
    const at = new Date(now).toISOString();
    for (const o of outcomes) {
      if (o.outcome === 'done') complete.run(now, o.eventId, o.consumer);
      else if (o.outcome === 'released') release.run(o.eventId, o.consumer, o.owner);
      else {
        const retryAt = o.outcome === 'retry' ? o.retryAt : null;
        fail.run({
          error: o.error,
          at,
          retryAt,
          now,
          eventId: o.eventId,
          consumer: o.consumer,
          owner: o.owner,
        });
      }
    }
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
