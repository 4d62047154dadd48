/**
 * Declares the AMQP topology: the durable topic exchange, and per group a durable queue
 * bound to each topic, a dead-letter exchange and queue, and per-delay wait queues whose
 * expired messages flow back into the group's queue.
 */
import { ConfigurationError, TransportError } from '@tidings/core';
import type { Channel } from 'amqplib';
import { deadLetterExchangeOf, type GroupNames, routingKeyOf } from './names.ts';
import type { ResolvedOptions } from './options.ts';

/** Turns a refused declaration into an error that says what to do. */
function explain(error: unknown, what: string): Error {
  const code = (error as { code?: unknown }).code;
  if (code === 406) {
    return new ConfigurationError(
      `RabbitMQ refused to declare ${what}: it exists with other arguments (${(error as Error).message}). Match its options (queueType, singleActiveConsumer, maxDeliveries) or delete it.`,
      { cause: error },
    );
  }
  return new TransportError(`RabbitMQ could not declare ${what}: ${(error as Error).message}.`, {
    cause: error,
  });
}

export async function declareExchange(channel: Channel, exchange: string): Promise<void> {
  try {
    await channel.assertExchange(exchange, 'topic', { durable: true });
  } catch (error) {
    throw explain(error, `exchange "${exchange}"`);
  }
}

export function groupQueueArguments(options: ResolvedOptions, names: GroupNames): Record<string, unknown> {
  return {
    'x-queue-type': options.queueType,
    'x-dead-letter-exchange': deadLetterExchangeOf(options.exchange),
    'x-dead-letter-routing-key': names.queue,
    ...(options.queueType === 'quorum' ? { 'x-delivery-limit': options.maxDeliveries } : {}),
    ...(options.singleActiveConsumer ? { 'x-single-active-consumer': true } : {}),
  };
}

/** Declares a group's queue, its dead-letter route and its bindings to `topics`. */
export async function declareGroup(
  channel: Channel,
  options: ResolvedOptions,
  names: GroupNames,
  topics: readonly string[],
): Promise<void> {
  const dlx = deadLetterExchangeOf(options.exchange);
  let what = `exchange "${options.exchange}"`;
  try {
    await channel.assertExchange(options.exchange, 'topic', { durable: true });
    what = `dead-letter exchange "${dlx}"`;
    await channel.assertExchange(dlx, 'direct', { durable: true });
    what = `dead-letter queue "${names.deadQueue}"`;
    await channel.assertQueue(names.deadQueue, {
      durable: true,
      arguments: { 'x-queue-type': options.queueType },
    });
    await channel.bindQueue(names.deadQueue, dlx, names.queue);
    what = `queue "${names.queue}"`;
    await channel.assertQueue(names.queue, { durable: true, arguments: groupQueueArguments(options, names) });
    for (const topic of topics) {
      what = `the binding of "${names.queue}" to topic "${topic}"`;
      await channel.bindQueue(names.queue, options.exchange, routingKeyOf(topic));
    }
  } catch (error) {
    throw explain(error, what);
  }
}

/**
 * Declares the wait queue for one delay. Called before every use: it expires when unused
 * (`x-expires`), and re-declaring both keeps it alive for the message about to wait in it.
 */
export async function declareWaitQueue(
  channel: Channel,
  names: GroupNames,
  delayMs: number,
): Promise<string> {
  const queue = names.waitQueue(delayMs);
  try {
    await channel.assertQueue(queue, {
      durable: true,
      arguments: {
        'x-message-ttl': delayMs,
        'x-expires': delayMs + 60_000,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': names.queue,
      },
    });
  } catch (error) {
    throw explain(error, `wait queue "${queue}"`);
  }
  return queue;
}
