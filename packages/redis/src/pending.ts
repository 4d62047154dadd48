/**
 * The pending-entries side of a consumer group: taking over a lane's pending entries when a
 * member acquires it (the previous holder's, in id order, before anything new is read),
 * sweeping up strays, and taking back one's own rejected entry for its next attempt.
 */
import type { Redis } from 'ioredis';
import { type Delivery, type RawEntry, toDelivery } from './entry.ts';
import type { Lane } from './lanes.ts';

export interface GroupMember {
  readonly redis: Redis;
  readonly group: string;
  readonly consumer: string;
}

/** `[entryId, consumer, idleMs, deliveries]` rows of `XPENDING … <start> <end> <count>`. */
type PendingRow = [string, string, number, number];

const page = 100;

/** Claims `rows` to `member`; deliveries carry their delivery count, this claim included. */
async function claim(member: GroupMember, lane: Lane, rows: readonly PendingRow[], minIdleMs: number) {
  const counts = new Map(rows.map(([id, , , deliveries]) => [id, deliveries]));
  const claimed = (await member.redis.callBuffer(
    'XCLAIM',
    lane.stream,
    member.group,
    member.consumer,
    minIdleMs,
    ...rows.map(([id]) => id),
  )) as RawEntry[];
  const deliveries: Delivery[] = [];
  const vanished: string[] = [];
  for (const raw of claimed) {
    const id = raw[0].toString('utf8');
    const delivery = toDelivery(lane, raw, (counts.get(id) ?? 0) + 1);
    if (delivery) deliveries.push(delivery);
    else vanished.push(id);
  }
  // Trimmed or deleted while pending: nothing left to deliver, so stop tracking it.
  if (vanished.length > 0) await member.redis.call('XACK', lane.stream, member.group, ...vanished);
  return deliveries;
}

/**
 * Every entry of `lane` pending in the group (whoever held it), claimed to `member` and
 * passed to `take` in id order, page by page. Pending entries are older than any entry
 * not yet delivered, so handling them first keeps the lane's order across a change of holder.
 */
export async function takeOverPending(
  member: GroupMember,
  lane: Lane,
  take: (deliveries: readonly Delivery[]) => void,
): Promise<void> {
  let start = '-';
  for (;;) {
    const rows = (await member.redis.call(
      'XPENDING',
      lane.stream,
      member.group,
      start,
      '+',
      page,
    )) as PendingRow[];
    if (rows.length === 0) return;
    take(await claim(member, lane, rows, 0));
    if (rows.length < page) return;
    start = `(${(rows[rows.length - 1] as PendingRow)[0]}`;
  }
}

/**
 * Entries of a lane this member holds that sit idle with another consumer: only a holder
 * that stalled past its lease and read once more leaves those. Claimed so nothing is lost
 * (they may then be handled after later entries of their key).
 */
export async function sweepStrays(member: GroupMember, lane: Lane, minIdleMs: number): Promise<Delivery[]> {
  const rows = (await member.redis.call(
    'XPENDING',
    lane.stream,
    member.group,
    'IDLE',
    minIdleMs,
    '-',
    '+',
    page,
  )) as PendingRow[];
  const strays = rows.filter(([, consumer]) => consumer !== member.consumer);
  return strays.length === 0 ? [] : claim(member, lane, strays, minIdleMs);
}

/**
 * Takes back one's own rejected entry for its next delivery (the group counts it);
 * `undefined` if it is gone, or was claimed by another member within the last `minIdleMs`.
 */
export async function reclaimOwn(
  member: GroupMember,
  delivery: Delivery,
  minIdleMs: number,
): Promise<Delivery | undefined> {
  const claimed = (await member.redis.callBuffer(
    'XCLAIM',
    delivery.lane.stream,
    member.group,
    member.consumer,
    minIdleMs,
    delivery.entryId,
  )) as RawEntry[];
  const raw = claimed[0];
  return raw ? toDelivery(delivery.lane, raw, delivery.message.deliveryCount + 1) : undefined;
}
