/**
 * The leases a relay holds: every claimed delivery not yet settled, with the time its lease
 * ends on this process's clock. A round's deliveries wait for handler slots and run for as
 * long as their handlers take; without an extension the last ones of a round could start
 * after the lease ran out, while another relay claims and runs them too. The keeper puts
 * ONE deadline on the relay's wheel (the one the handler timeouts share) for the earliest
 * lease end less a third of the lease, and when it fires extends every lease that is due
 * (within half a lease of its end) in one batched `extend`. No timer per delivery.
 *
 * A delivery whose extension the store refused was claimed by another owner since: the
 * keeper forgets it and `holds` says false, so the round does not start it. One whose lease
 * ran out on this clock (the store was unreachable) is not started either, until an
 * extension succeeds again.
 */
import type { Delivery, DeliveryQueue, DeliveryRef } from '../outbox/outbox-store.ts';
import type { DeadlineEntry, DeadlineWheel } from '../pipeline/deadline-wheel.ts';

export interface LeaseKeeper {
  /** Keeps the deliveries of a claim sent at `claimedAt` (this clock, before the claim went out). */
  hold(batch: readonly Delivery[], claimedAt: number): void;
  /** Whether `delivery`'s lease is still this relay's: not lost, not run out. */
  holds(delivery: Delivery): boolean;
  /** Stops keeping these: they are being settled. */
  release(batch: readonly Delivery[]): void;
  /** Stops extending; leases still held run out in the store and others take them over. */
  close(): void;
}

export interface LeaseKeeperOptions {
  readonly queue: Pick<DeliveryQueue, 'extend'>;
  readonly leaseMs: number;
  /** The relay's deadline wheel. */
  readonly wheel: DeadlineWheel;
  /** The wheel's clock (monotonic ms). */
  readonly now: () => number;
  /** A failed extension (it is tried again soon, while leases last). */
  readonly onError: (error: unknown) => void;
}

const keyOf = (d: { readonly consumer: string; readonly eventId: string }) =>
  `${d.consumer}\u0000${d.eventId}`;

export function createLeaseKeeper(options: LeaseKeeperOptions): LeaseKeeper {
  const { queue, leaseMs, wheel, now, onError } = options;
  // Extend a third of a lease before its end; take along every lease within half of one, so
  // rounds claimed close together are extended by the same call.
  const ahead = leaseMs / 3;
  const dueWithin = leaseMs / 2;
  const retryMs = Math.max(10, Math.min(1_000, leaseMs / 6));
  // By the claim's own Delivery objects: the per-delivery path is a Map operation, no key.
  const held = new Map<Delivery, number>();
  let entry: DeadlineEntry | undefined;
  let armedFor = Number.POSITIVE_INFINITY;
  let extending = false;
  let notBefore = 0;
  let closed = false;

  const disarm = () => {
    if (entry) wheel.cancel(entry);
    entry = undefined;
    armedFor = Number.POSITIVE_INFINITY;
  };

  const arm = () => {
    if (closed || extending || held.size === 0) return disarm();
    let earliest = Number.POSITIVE_INFINITY;
    for (const until of held.values()) earliest = Math.min(earliest, until);
    armFor(earliest);
  };

  const armFor = (until: number) => {
    const at = Math.max(until - ahead, notBefore);
    if (entry && at >= armedFor) return;
    disarm();
    armedFor = at;
    entry = wheel.add(at - now(), () => void extend());
  };

  const extend = async () => {
    entry = undefined;
    armedFor = Number.POSITIVE_INFINITY;
    const sentAt = now();
    // One ref per delivery: when this relay claimed a delivery again (its lease ran out
    // unextended), the later claim is the one it holds.
    const latest = new Map<string, Delivery>();
    for (const delivery of held.keys()) {
      const key = keyOf({ consumer: delivery.consumer, eventId: delivery.event.id });
      const earlier = latest.get(key);
      if (earlier) held.delete(earlier);
      latest.set(key, delivery);
    }
    // Position order, as a round settles: two statements locking the same rows take them in one order.
    const due = [...latest.values()]
      .filter((d) => (held.get(d) as number) - sentAt <= dueWithin)
      .sort((a, b) => a.position - b.position);
    if (due.length === 0) return arm();
    const refs = due.map((d): DeliveryRef => ({ eventId: d.event.id, consumer: d.consumer, owner: d.owner }));
    extending = true;
    try {
      const kept = new Set((await queue.extend(refs, leaseMs)).map(keyOf));
      for (const delivery of due) {
        if (!held.has(delivery)) continue; // settled meanwhile
        if (kept.has(keyOf({ consumer: delivery.consumer, eventId: delivery.event.id })))
          held.set(delivery, sentAt + leaseMs);
        else held.delete(delivery);
      }
    } catch (error) {
      notBefore = now() + retryMs;
      onError(error);
    } finally {
      extending = false;
      arm();
    }
  };

  return {
    hold(batch, claimedAt) {
      if (closed || batch.length === 0) return;
      const until = claimedAt + leaseMs;
      for (const delivery of batch) held.set(delivery, until);
      if (!extending) armFor(until);
    },
    holds(delivery) {
      return (held.get(delivery) ?? 0) > now();
    },
    release(batch) {
      for (const delivery of batch) held.delete(delivery);
      if (held.size === 0) disarm();
    },
    close() {
      closed = true;
      held.clear();
      disarm();
    },
  };
}
