/**
 * The Redis Streams transport: each topic partitioned by key into streams, pipelined XADD,
 * consumer groups whose members each hold some partitions at a time (leases), so one key is
 * read by one member, in order; `XREADGROUP` on a dedicated connection per subscription.
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
import type { Redis } from 'ioredis';
import { connect } from './connect.ts';
import { type RedisTransportOptions, resolveRedisOptions } from './options.ts';
import { partitionCounts } from './partition-count.ts';
import { publishAll } from './publish.ts';
import { checkSubscribeRequest } from './subscribe-request.ts';
import { openSubscription } from './subscription.ts';
import { redisTelemetry } from './telemetry.ts';

/** What Redis Streams give and what they do not; see the README for the reasoning. */
export const redisFeatures: TransportFeatures = Object.freeze({
  // A key's partition is read by one member of a group at a time, which handles one entry
  // per key at a time and retries a rejected one in place.
  orderingByKey: true,
  // Redis has no dead-letter destination; the consumer pipeline puts dead letters to its sink.
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
 * Connects (a PING proves it) and creates the transport.
 *
 * @example
 * const transport = await createRedisTransport({ connection: 'redis://127.0.0.1:6379', maxLen: 1_000_000 });
 * await transport.publish([{ id, topic: 'order.placed', key: orderId, headers, body }]);
 * await transport.subscribe({ group: 'mailer', topics: ['order.placed'], concurrency: 8 }, async (m) => {
 *   await sendMail(m.body);
 * });
 * await transport.close();
 */
export async function createRedisTransport(options: RedisTransportOptions = {}): Promise<RedisTransport> {
  const resolved = resolveRedisOptions(options);
  const connectionName = `tidings-${randomBytes(4).toString('hex')}`;
  const { redis, owned } = await connect(options.connection, connectionName);
  const opened = new Set<Redis>(owned ? [redis] : []);
  const subscriptions = new Set<Subscription>();
  const counts = partitionCounts(redis, resolved.prefix, resolved.partitions);
  let closing: Promise<void> | undefined;

  const assertOpen = (what: string): void => {
    if (closing)
      throw new ClosedError(`Cannot ${what}: the Redis transport was closed. Create a new transport.`);
  };

  const openBlocking = async (): Promise<Redis> => {
    // A blocked read must not wait behind, or hold up, anything else: its own connection.
    const connection = redis.duplicate({ connectionName, maxRetriesPerRequest: null });
    connection.on('error', () => undefined);
    opened.add(connection);
    connection.once('end', () => opened.delete(connection));
    return connection;
  };

  return {
    name: resolved.name,
    features: redisFeatures,
    telemetry: redisTelemetry(resolved.prefix, resolved.partitions, redis.options),
    redis,
    connections: () => [...opened],
    async publish(messages: readonly TransportMessage[]) {
      assertOpen('publish');
      await publishAll({ redis, counts, ...resolved }, messages);
    },
    async subscribe(request: SubscribeRequest, handler: MessageHandler, subscribeOptions = {}) {
      assertOpen('subscribe');
      const checked = checkSubscribeRequest(request);
      const { signal } = subscribeOptions;
      signal?.throwIfAborted();
      let subscription: Subscription | undefined;
      subscription = await openSubscription(
        { redis, openBlocking, options: resolved, counts },
        checked,
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
