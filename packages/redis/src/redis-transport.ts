/**
 * The Redis Streams transport: one stream per topic, pipelined XADD, consumer groups read
 * with XREADGROUP on a dedicated connection per subscription, idle take-over by XCLAIM,
 * dead letters to a stream of their own.
 */
import { randomBytes } from 'node:crypto';
import {
  ClosedError,
  type MessageHandler,
  type SubscribeRequest,
  type Subscription,
  type Transport,
  type TransportFeatures,
  type TransportMessage,
} from '@tidings/core';
import { Redis } from 'ioredis';
import { type RedisTransportOptions, resolveRedisOptions } from './options.ts';
import { publishAll } from './publish.ts';
import { openSubscription } from './subscription.ts';
import { redisTelemetry } from './telemetry.ts';

/** What Redis Streams give and what they do not; see the README for the reasoning. */
export const redisFeatures: TransportFeatures = Object.freeze({
  // Members of a group compete and a rejected entry is retried after later ones, so one key
  // can be handled out of order; within a member, keys are serialised.
  orderingByKey: false,
  // Exhausted entries are copied by the client to `<prefix>deadletter:<group>`.
  nativeDeadLetter: false,
  // XADD always appends; a repeated publish is a second entry.
  nativeDedup: false,
  delayedRedelivery: true,
  redeliversUnacked: true,
  replaysHistory: true,
});

export interface RedisTransport extends Transport {
  /** The command connection. */
  readonly redis: Redis;
  /** Every connection the transport opened and still holds (diagnostics, failure tests). */
  connections(): readonly Redis[];
}

/**
 * Creates the transport. Connections are opened lazily by ioredis; the first command waits.
 *
 * @example
 * const transport = createRedisTransport({ url: 'redis://127.0.0.1:6379', maxLen: 1_000_000 });
 * await transport.publish([{ id, topic: 'order.placed', key: orderId, headers, body }]);
 * await transport.subscribe({ group: 'mailer', topics: ['order.placed'], concurrency: 8 }, async (m) => {
 *   await sendMail(m.body);
 * });
 * await transport.close();
 */
export function createRedisTransport(options: RedisTransportOptions = {}): RedisTransport {
  const resolved = resolveRedisOptions(options);
  const connectionName = `tidings-${randomBytes(4).toString('hex')}`;
  const owned = options.redis === undefined;
  const redis = options.redis ?? new Redis(options.url ?? 'redis://127.0.0.1:6379', { connectionName });
  const opened = new Set<Redis>(owned ? [redis] : []);
  const subscriptions = new Set<Subscription>();
  let closing: Promise<void> | undefined;

  const assertOpen = (what: string): void => {
    if (closing)
      throw new ClosedError(`Cannot ${what}: the Redis transport was closed. Create a new transport.`);
  };

  const openBlocking = async (): Promise<Redis> => {
    // A blocked read must not wait behind, or hold up, anything else: its own connection.
    const connection = redis.duplicate({ connectionName, maxRetriesPerRequest: null });
    opened.add(connection);
    connection.once('end', () => opened.delete(connection));
    return connection;
  };

  return {
    name: 'redis',
    features: redisFeatures,
    telemetry: redisTelemetry(resolved.prefix, redis.options),
    redis,
    connections: () => [...opened],
    async publish(messages: readonly TransportMessage[]) {
      assertOpen('publish');
      await publishAll(redis, resolved.prefix, resolved.maxLen, messages);
    },
    async subscribe(request: SubscribeRequest, handler: MessageHandler, subscribeOptions = {}) {
      assertOpen('subscribe');
      const { signal } = subscribeOptions;
      signal?.throwIfAborted();
      let subscription: Subscription | undefined;
      subscription = await openSubscription(
        { redis, openBlocking, options: resolved },
        request,
        handler,
        () => {
          if (subscription) subscriptions.delete(subscription);
        },
      );
      const current = subscription;
      subscriptions.add(current);
      signal?.addEventListener('abort', () => void current.close(), { once: true });
      if (signal?.aborted) await current.close();
      return current;
    },
    close() {
      closing ??= (async () => {
        await Promise.all([...subscriptions].map((subscription) => subscription.close()));
        if (owned) await redis.quit().catch(() => redis.disconnect());
      })();
      return closing;
    },
  };
}
