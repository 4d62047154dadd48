/**
 * `extend`: pushes the leases a relay still holds to `leaseMs` from now, in one write
 * transaction however many deliveries it carries, so a delivery waiting for a handler slot
 * (or running a slow handler) is not reclaimed by another relay meanwhile.
 */
import { checkLeaseMs, type DeliveryRef } from '@tidings/core/spi';
import type { Session } from './session.ts';

export async function extendLeases(
  session: Session,
  refs: readonly DeliveryRef[],
  leaseMs: number,
): Promise<readonly DeliveryRef[]> {
  checkLeaseMs('extend', leaseMs);
  if (refs.length === 0) return [];
  // Pending and still carrying the owner: a settled delivery has no owner, a reclaimed one another.
  const extend = session.statement(
    `UPDATE ${session.tables.deliveries} SET lease_until = ?
     WHERE event_id = ? AND consumer = ? AND status = 'pending' AND lease_owner = ?`,
  );
  return session.write('extend', () => {
    const until = session.clock() + leaseMs;
    return refs.filter((ref) => extend.run(until, ref.eventId, ref.consumer, ref.owner).changes > 0);
  });
}
