/**
 * One member of a consumer group: `XREADGROUP BLOCK` on a dedicated connection, a keyed
 * dispatcher bounding concurrency (one key at a time within the member), XACK after the
 * handler resolved, a delayed re-claim after it rejected (the entry keeps its slot while it
 * waits, so the member reads no more than it can hold), periodic take-over of entries
 * other members left idle, and a dead letter once `maxDeliveries` are used up.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  ConfigurationError,
  DoNotRetry,
  type MessageHandler,
  type SubscribeRequest,
  type Subscription,
} from '@tidings/core';
import { createKeyedDispatcher, errorCodeOf, errorMessage, pause, retryDelayOf } from '@tidings/core/spi';
import type { Redis } from 'ioredis';
import { claimIdle, type GroupMember, heldKey, reclaimOwn, touch } from './claims.ts';
import { deadLetter } from './dead-letter.ts';
import { type Delivery, type RawEntry, streamName, toDelivery } from './entry.ts';
import type { ResolvedRedisOptions } from './options.ts';

export interface SubscriptionContext {
  readonly redis: Redis;
  /** Opens the member's own connection for blocking reads. */
  readonly openBlocking: () => Promise<Redis>;
  readonly options: ResolvedRedisOptions;
}

async function createGroup(redis: Redis, stream: string, group: string): Promise<void> {
  try {
    // `$`: a new group starts with entries added after it, like a fresh queue.
    await redis.call('XGROUP', 'CREATE', stream, group, '$', 'MKSTREAM');
  } catch (error) {
    if (!errorMessage(error).startsWith('BUSYGROUP')) throw error;
  }
}

type ReadReply = [Buffer, RawEntry[]][] | null;

export async function openSubscription(
  context: SubscriptionContext,
  request: SubscribeRequest,
  handler: MessageHandler,
  onClosed: () => void,
): Promise<Subscription> {
  const { redis, options } = context;
  const concurrency = request.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ConfigurationError(`Subscription concurrency ${concurrency} is invalid: pass an integer ≥ 1.`);
  }
  if (request.topics.length === 0 || request.group.length === 0) {
    throw new ConfigurationError(
      `Subscription needs a group and at least one topic; got group "${request.group}" and ${request.topics.length} topic(s).`,
    );
  }
  const streams = [...new Set(request.topics.map((topic) => streamName(options.prefix, topic)))];
  for (const stream of streams) await createGroup(redis, stream, request.group);
  const member: GroupMember = {
    redis,
    prefix: options.prefix,
    group: request.group,
    consumer: `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`,
  };
  const blocking = await context.openBlocking();
  const blockingId = (await blocking.call('CLIENT', 'ID')) as number;

  const held = new Set<string>();
  // Deliveries waiting out a retry delay keep their handler slot (and their key), so the
  // member stops reading while they wait: memory and timers stay bounded by concurrency.
  // Aborted by close(): it cuts every retry wait short.
  const stopping = new AbortController();
  let closing = false;
  const touchEveryMs = Math.max(50, Math.floor(options.claimIdleMs / 3));

  const release = (delivery: Delivery): void => {
    held.delete(heldKey(delivery.stream, delivery.entryId));
  };

  /** Dead-letters, or returns the delay after which to take the entry back for a retry. */
  const settle = async (delivery: Delivery, error: unknown): Promise<number | undefined> => {
    const final = DoNotRetry.is(error);
    const deliveries = delivery.message.deliveryCount;
    if (final || deliveries >= options.maxDeliveries) {
      const reason = final
        ? `handler refused to retry: ${errorMessage(error)}`
        : `handler failed ${deliveries} time(s), last: ${errorMessage(error)}`;
      try {
        await deadLetter(redis, options.prefix, request.group, delivery, reason, errorCodeOf(error));
        return undefined;
      } catch (deadLetterError) {
        options.onError(deadLetterError);
      }
    }
    return retryDelayOf(error) ?? options.redeliveryDelayMs;
  };

  /** One delivery: acked, dead-lettered, or a retry delay. */
  const attempt = async (delivery: Delivery): Promise<number | undefined> => {
    if (delivery.message.deliveryCount > options.maxDeliveries) {
      // Delivered too often without any ack: its handler keeps killing or stalling members.
      return settle(delivery, new Error(`no ack after ${delivery.message.deliveryCount} deliveries`));
    }
    const timer = setInterval(() => void touch(member, delivery).catch(() => undefined), touchEveryMs);
    let failure: { error: unknown } | undefined;
    try {
      await handler(delivery.message);
    } catch (error) {
      failure = { error };
    } finally {
      clearInterval(timer);
    }
    if (failure) return settle(delivery, failure.error);
    try {
      await redis.call('XACK', delivery.stream, request.group, delivery.entryId);
    } catch (error) {
      // Unacked, it stays pending and comes back after claimIdleMs: at-least-once holds.
      // After a deliberate shutdown of the connection (`end`) that is expected, not news.
      if (redis.status !== 'end') options.onError(error);
    }
    return undefined;
  };

  const handle = async (first: Delivery): Promise<void> => {
    let delivery: Delivery | undefined = first;
    try {
      while (delivery) {
        const delayMs = await attempt(delivery);
        if (delayMs === undefined) return;
        await pause(delayMs, stopping.signal);
        // Closing: leave it pending; a member takes it over after claimIdleMs.
        if (closing) return;
        // Min-idle = the delay: if another member took it over meanwhile, its idle time was reset.
        delivery = await reclaimOwn(member, delivery, delayMs).catch((error: unknown) => {
          options.onError(error);
          return undefined;
        });
      }
    } finally {
      release(first);
    }
  };

  const dispatcher = createKeyedDispatcher<Delivery>(concurrency, handle);
  const accept = (deliveries: readonly Delivery[]): void => {
    for (const delivery of deliveries) {
      held.add(heldKey(delivery.stream, delivery.entryId));
      dispatcher.push(delivery.message.key, delivery);
    }
  };

  const readLoop = (async () => {
    while (!closing) {
      await dispatcher.slotFree();
      if (closing) break;
      try {
        const reply = (await blocking.callBuffer(
          'XREADGROUP',
          'GROUP',
          request.group,
          member.consumer,
          'COUNT',
          concurrency - dispatcher.load,
          'BLOCK',
          options.blockMs,
          'STREAMS',
          ...streams,
          ...streams.map(() => '>'),
        )) as ReadReply;
        for (const [stream, entries] of reply ?? []) {
          const name = stream.toString('utf8');
          accept(entries.flatMap((raw) => toDelivery(options.prefix, name, raw, 1) ?? []));
        }
      } catch (error) {
        // `end`: the connection was shut for good (close, or a process going down): stop reading.
        if (closing || blocking.status === 'end') break;
        options.onError(error);
        // The client reconnects by itself; pause so a down server is not hammered.
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  })();

  const claimTimer = setInterval(
    () => {
      void (async () => {
        for (const stream of streams) {
          const free = concurrency - dispatcher.load;
          if (closing || free <= 0) return;
          accept(await claimIdle(member, stream, options.claimIdleMs, free, held));
        }
      })().catch((error: unknown) => {
        if (!closing) options.onError(error);
      });
    },
    Math.max(50, Math.floor(options.claimIdleMs / 2)),
  );

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      clearInterval(claimTimer);
      stopping.abort();
      // Wake the blocked XREADGROUP now instead of waiting out blockMs.
      await redis.call('CLIENT', 'UNBLOCK', blockingId).catch(() => undefined);
      await readLoop;
      await dispatcher.idle();
      await forgetConsumer(redis, streams, member).catch(() => undefined);
      await blocking.quit().catch(() => blocking.disconnect());
      onClosed();
    })();
    return closed;
  };
  return { close };
}

/** Removes this member from the group where it holds nothing (deleting it drops its pending entries). */
async function forgetConsumer(redis: Redis, streams: readonly string[], member: GroupMember): Promise<void> {
  for (const stream of streams) {
    const pending = (await redis.call(
      'XPENDING',
      stream,
      member.group,
      '-',
      '+',
      1,
      member.consumer,
    )) as unknown[];
    if (pending.length === 0)
      await redis.call('XGROUP', 'DELCONSUMER', stream, member.group, member.consumer);
  }
}
