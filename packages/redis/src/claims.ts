/**
 * The pending-entries side of a consumer group: taking over entries other members left
 * idle (dead, or stuck past `claimIdleMs`), taking back one's own rejected entry after a
 * delay, and keeping a long-running entry's idle time low so nobody takes it over.
 */
import type { Redis } from 'ioredis';
import { type Delivery, type RawEntry, toDelivery } from './entry.ts';

export interface GroupMember {
  readonly redis: Redis;
  readonly prefix: string;
  readonly group: string;
  readonly consumer: string;
}

/** How a member remembers an entry it holds. */
export function heldKey(stream: string, entryId: string): string {
  return `${stream}\u0000${entryId}`;
}

/** `[entryId, consumer, idleMs, deliveries]` rows of `XPENDING … IDLE`. */
type PendingRow = [string, string, number, number];

/**
 * Claims up to `count` entries of `stream` idle for at least `minIdleMs`. The returned
 * deliveries carry their delivery count (this claim included); `XCLAIM` with the same
 * min-idle makes a race with another member claim each entry at most once.
 */
export async function claimIdle(
  member: GroupMember,
  stream: string,
  minIdleMs: number,
  count: number,
  held: ReadonlySet<string>,
): Promise<Delivery[]> {
  const pending = (await member.redis.call(
    'XPENDING',
    stream,
    member.group,
    'IDLE',
    minIdleMs,
    '-',
    '+',
    count,
  )) as PendingRow[];
  // Entries this member is handling or about to retry stay with it.
  const rows = pending.filter(([id]) => !held.has(heldKey(stream, id)));
  if (rows.length === 0) return [];
  const counts = new Map(rows.map(([id, , , deliveries]) => [id, deliveries]));
  const claimed = (await member.redis.callBuffer(
    'XCLAIM',
    stream,
    member.group,
    member.consumer,
    minIdleMs,
    ...rows.map(([id]) => id),
  )) as RawEntry[];
  const deliveries: Delivery[] = [];
  const vanished: string[] = [];
  for (const raw of claimed) {
    const id = raw[0].toString('utf8');
    const delivery = toDelivery(member.prefix, stream, raw, (counts.get(id) ?? 0) + 1);
    if (delivery) deliveries.push(delivery);
    else vanished.push(id);
  }
  // Trimmed or deleted while pending: nothing left to deliver, so stop tracking it.
  if (vanished.length > 0) await member.redis.call('XACK', stream, member.group, ...vanished);
  return deliveries;
}

/** Takes back one's own rejected entry for another delivery; `undefined` if it is gone or taken. */
export async function reclaimOwn(
  member: GroupMember,
  delivery: Delivery,
  minIdleMs: number,
): Promise<Delivery | undefined> {
  const claimed = (await member.redis.callBuffer(
    'XCLAIM',
    delivery.stream,
    member.group,
    member.consumer,
    minIdleMs,
    delivery.entryId,
  )) as RawEntry[];
  const raw = claimed[0];
  return raw
    ? toDelivery(member.prefix, delivery.stream, raw, delivery.message.deliveryCount + 1)
    : undefined;
}

/** Resets the entry's idle time without counting a delivery (`JUSTID`): "still working on it". */
export async function touch(member: GroupMember, delivery: Delivery): Promise<void> {
  await member.redis.call(
    'XCLAIM',
    delivery.stream,
    member.group,
    member.consumer,
    0,
    delivery.entryId,
    'JUSTID',
  );
}
