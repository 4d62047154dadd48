/**
 * One member of a consumer group. It reads, with `XREADGROUP BLOCK` on a connection of its
 * own, only the lanes it holds (see ownership.ts), so each key's entries reach one member at
 * a time, in stream order. Within the member a keyed dispatcher bounds concurrency and runs
 * one entry per key at a time; XACK after the handler resolved; after a rejection the entry
 * is retried IN PLACE after its `retryDelayMs` (its key's later entries wait behind it, and it
 * keeps its handler slot, so the member reads no more than it can hold).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type MessageHandler, type Subscription, TransportError } from '@tidings/core';
import { createKeyedDispatcher, pause, retryDelayOf } from '@tidings/core/spi';
import type { Redis } from 'ioredis';
import { createAcks } from './acks.ts';
import { type Delivery, type RawEntry, toDelivery } from './entry.ts';
import { createGroups, forgetConsumer } from './group.ts';
import { type Lane, lanesOf } from './lanes.ts';
import type { ResolvedRedisOptions } from './options.ts';
import { createOwnership, type LaneState } from './ownership.ts';
import type { PartitionCounts } from './partition-count.ts';
import { type GroupMember, reclaimOwn, sweepStrays, takeOverPending } from './pending.ts';
import type { CheckedRequest } from './subscribe-request.ts';

/** How much less than its retry delay an own rejected entry must have idled to be taken back. */
const reclaimSlackMs = 25;

export interface SubscriptionContext {
  readonly redis: Redis;
  /** Opens the member's own connection for blocking reads. */
  readonly openBlocking: () => Promise<Redis>;
  readonly options: ResolvedRedisOptions;
  readonly counts: PartitionCounts;
}

type ReadReply = [Buffer, RawEntry[]][] | null;

/** Margin between the end of a blocked read and the end of the leases it reads under. */
const leaseMarginMs = 100;

export async function openSubscription(
  context: SubscriptionContext,
  request: CheckedRequest,
  handler: MessageHandler,
  onClosed: () => void,
): Promise<Subscription> {
  const { redis, options } = context;
  const { concurrency } = request;
  // The request's limit (the consumer's retry budget + 1) raises the backstop for this
  // subscription, so the consumer pipeline dead-letters before an entry is acked unhandled.
  const maxDeliveries = Math.max(options.maxDeliveries, request.maxDeliveries ?? 0);
  await context.counts.check(request.topics);
  const lanesByTopic = new Map<string, readonly Lane[]>(
    request.topics.map((topic) => [topic, lanesOf(options.prefix, topic, options.partitions)]),
  );
  const allLanes = [...lanesByTopic.values()].flat();
  await createGroups(redis, allLanes, request.group, options.startFrom);
  const member: GroupMember = {
    redis,
    group: request.group,
    consumer: `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`,
  };
  const blocking = await context.openBlocking();
  const blockingId = (await blocking.call('CLIENT', 'ID')) as number;
  let closing = false;
  const acks = createAcks(redis, request.group);

  const wake = (): void => {
    // Ends the blocked XREADGROUP now, so the next one reads the lanes held now.
    void redis.call('CLIENT', 'UNBLOCK', blockingId).catch(() => undefined);
  };

  /** One delivery: acked (`undefined`), or the delay after which to retry it in place. */
  const attempt = async (delivery: Delivery): Promise<number | undefined> => {
    const { message, lane, entryId } = delivery;
    if (message.deliveryCount > maxDeliveries) {
      // The backstop: delivered this often without an ack, its handler keeps killing or
      // stalling members. It is acked unhandled and stays in the stream for inspection.
      await redis.call('XACK', lane.stream, request.group, entryId);
      options.onError(
        new TransportError(
          `Redis entry ${entryId} of stream ${lane.stream} (message ${message.id}) was delivered ${message.deliveryCount - 1} times to group "${request.group}" without an ack (maxDeliveries ${maxDeliveries}): acked without handling; read it with XRANGE ${lane.stream} ${entryId} ${entryId}.`,
        ),
      );
      return undefined;
    }
    try {
      await handler(message);
    } catch (error) {
      return retryDelayOf(error) ?? 0;
    }
    try {
      await acks.ack(lane.stream, entryId);
    } catch (error) {
      // Unacked, it stays pending and the lane's next holder takes it over: at-least-once holds.
      if (redis.status !== 'end') options.onError(error);
    }
    return undefined;
  };

  const handle = async ({ state, delivery: first }: Queued): Promise<void> => {
    let delivery: Delivery | undefined = first;
    try {
      // A lane left (or a member closing) skips what it has not started: it stays pending
      // and the lane's next holder takes it over, in order.
      while (delivery && state.status !== 'leaving' && !closing) {
        const delayMs = await attempt(delivery);
        if (delayMs === undefined) return;
        if (!(await pause(delayMs, state.stop.signal)) || isLeaving(state)) return;
        // The idle guard is the delay less a slack: a timer may fire a millisecond early
        // (libuv counts whole milliseconds) and Redis floors idle times, so asking for the
        // full delay sometimes found the entry "not idle long enough" and left it pending
        // for good, its key stuck behind it.
        delivery = await reclaimOwn(member, delivery, Math.max(0, delayMs - reclaimSlackMs));
      }
    } catch (error) {
      if (redis.status !== 'end') options.onError(error);
    } finally {
      state.inFlight--;
      if (state.inFlight === 0) state.drained?.();
    }
  };

  const dispatcher = createKeyedDispatcher<Queued>(concurrency, handle);
  const halfWindow = Math.ceil(concurrency / 2);
  const accept = (state: LaneState, deliveries: readonly Delivery[]): void => {
    for (const delivery of deliveries) {
      state.inFlight++;
      // A keyless message has no order to keep: its id as the key lets them run side by side.
      dispatcher.push(delivery.message.key || delivery.message.id, { state, delivery });
    }
  };

  // The read in progress, so a lane being left can wait until no read can still hand it entries.
  let reading: { streams: ReadonlySet<string>; done: Promise<unknown> } | undefined;
  let idleWake: (() => void) | undefined;

  const ownership = createOwnership({
    member,
    prefix: options.prefix,
    lanesByTopic,
    leaseMs: options.leaseMs,
    onError: options.onError,
    takeOver: (state) => takeOverPending(member, state.lane, (deliveries) => accept(state, deliveries)),
    sweep: async (state) => accept(state, await sweepStrays(member, state.lane, options.leaseMs)),
    changed: () => {
      idleWake?.();
      wake();
    },
    readSettled: async (stream) => {
      if (reading?.streams.has(stream)) await reading.done;
    },
  });

  const readOnce = async (): Promise<void> => {
    const lanes = ownership.readable(options.blockMs + leaseMarginMs);
    if (lanes.length === 0) {
      // Nothing held yet (or all being taken over): wait for a change, or a heartbeat's worth.
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        idleWake = resolve;
        timer = setTimeout(resolve, options.blockMs);
      });
      clearTimeout(timer);
      idleWake = undefined;
      return;
    }
    const streams = lanes.map((state) => state.lane.stream);
    // COUNT applies per stream: split the free slots over the lanes (at least one each).
    const count = Math.max(1, Math.ceil((concurrency - dispatcher.load) / lanes.length));
    const read = blocking.callBuffer(
      'XREADGROUP',
      'GROUP',
      request.group,
      member.consumer,
      'COUNT',
      count,
      'BLOCK',
      options.blockMs,
      'STREAMS',
      ...streams,
      ...streams.map(() => '>'),
    ) as Promise<ReadReply>;
    reading = { streams: new Set(streams), done: read.catch(() => undefined) };
    const reply = await read.finally(() => {
      reading = undefined;
    });
    for (const [stream, entries] of reply ?? []) {
      const state = ownership.get(stream.toString('utf8'));
      // Read from a lane being left: leave it pending for the next holder.
      if (!state || state.status === 'leaving') continue;
      accept(
        state,
        entries.flatMap((raw) => toDelivery(state.lane, raw, 1) ?? []),
      );
    }
  };

  try {
    await ownership.start();
  } catch (error) {
    // No heartbeat got through: give back what was acquired and the blocking connection.
    await ownership.stop().catch(() => undefined);
    blocking.disconnect();
    throw error;
  }

  const readLoop = (async () => {
    while (!closing) {
      await dispatcher.slotFree();
      // Slots about to be freed by an XACK in flight are worth one round trip: reading a
      // sliver of the window now would split it into batches that keep alternating.
      while (!closing && concurrency - dispatcher.load < halfWindow && acks.pending > 0) {
        await acks.answered();
        // The acked handlers finish in this turn's microtasks: let them, then count again.
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (closing) break;
      try {
        await readOnce();
      } catch (error) {
        // `end`: the connection was shut for good (close, or a process going down): stop reading.
        if (closing || blocking.status === 'end') break;
        options.onError(error);
        // The client reconnects by itself; pause so a down server is not hammered.
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  })();

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      for (const lane of allLanes) ownership.get(lane.stream)?.stop.abort();
      idleWake?.();
      await redis.call('CLIENT', 'UNBLOCK', blockingId).catch(() => undefined);
      await readLoop;
      await dispatcher.idle();
      await ownership.stop();
      await forgetConsumer(redis, allLanes, member).catch(() => undefined);
      await blocking.quit().catch(() => blocking.disconnect());
      onClosed();
    })();
    return closed;
  };
  return { close };
}

/** Read again after an await: the lane may have been left meanwhile. */
function isLeaving(state: LaneState): boolean {
  return state.status === 'leaving';
}

interface Queued {
  readonly state: LaneState;
  readonly delivery: Delivery;
}
