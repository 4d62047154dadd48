/**
 * How topics and groups become AMQP names. A topic is a routing key on the topic exchange:
 * `.` stays (exact bindings match it literally), but `*`, `#` and `%` are percent-encoded
 * so a topic can never act as a wildcard in its binding.
 */
import { ConfigurationError } from '@tidings/core';
import { describeValue } from '@tidings/core/spi';

const MAX_NAME_BYTES = 255;

function checkLength(name: string, what: string): string {
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) {
    throw new ConfigurationError(
      `The RabbitMQ ${what} ${describeValue(name)} is over ${MAX_NAME_BYTES} bytes. Use a shorter topic or group name.`,
    );
  }
  return name;
}

/** The routing key (and binding pattern) of a topic. */
export function routingKeyOf(topic: string): string {
  if (topic.length === 0) throw new ConfigurationError('A topic must not be empty.');
  return checkLength(
    topic.replace(/[%*#]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    'routing key',
  );
}

/** The topic a routing key came from. */
export function topicOf(routingKey: string): string {
  return routingKey.replace(/%(25|2A|23)/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

export interface GroupNames {
  /** The group's durable queue, bound to each subscribed topic. */
  readonly queue: string;
  /** Where the broker moves a message past `maxDeliveries` (the backstop). */
  readonly deadQueue: string;
  /** The per-delay wait queue whose expired messages flow back to `queue`. */
  readonly waitQueue: (delayMs: number) => string;
}

export function groupNames(exchange: string, group: string): GroupNames {
  if (group.length === 0) throw new ConfigurationError('A consumer group name must not be empty.');
  const queue = checkLength(`${exchange}.${group}`, 'queue name');
  return {
    queue,
    deadQueue: checkLength(`${queue}.dead`, 'dead-letter queue name'),
    waitQueue: (delayMs) => checkLength(`${queue}.wait.${delayMs}`, 'wait queue name'),
  };
}

/** The durable queue that keeps the dead letters published to `topic` (see `transportDeadLetterSink`). */
export function deadLetterTopicQueue(exchange: string, topic: string): string {
  return checkLength(`${exchange}.parked.${routingKeyOf(topic)}`, 'dead-letter queue name');
}

/** The exchange dead letters are routed through (direct; routing key = the group's queue). */
export function deadLetterExchangeOf(exchange: string): string {
  return `${exchange}.dead`;
}

/**
 * Rounds a delay up to two significant digits, so retries with jittered delays share a few
 * wait queues instead of creating one each, and never come back sooner than asked.
 */
export function delayBucket(ms: number): number {
  const whole = Math.max(1, Math.ceil(ms));
  const step = 10 ** Math.max(0, Math.floor(Math.log10(whole)) - 1);
  return Math.ceil(whole / step) * step;
}
