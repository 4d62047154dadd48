/**
 * Kafka topic names: Tidings topics are event types, which may hold characters Kafka
 * rejects. Names are prefixed and sanitised here, in one place, so publisher, consumer and
 * telemetry always agree.
 */
import { ConfigurationError } from '@tidings/core';
import { describeValue } from '@tidings/core/spi';

/** Kafka's own limit on a topic name. */
const maxTopicLength = 249;

/**
 * The Kafka topic for a Tidings topic: `prefix + topic`, with every character outside
 * `[A-Za-z0-9._-]` replaced by `_` (so `billing/InvoiceSent` becomes `billing_InvoiceSent`).
 *
 * @example
 * kafkaTopicName('OrderPlaced', 'shop.'); // 'shop.OrderPlaced'
 */
export function kafkaTopicName(topic: string, prefix = ''): string {
  const name = `${prefix}${topic}`.replace(/[^A-Za-z0-9._-]/g, '_');
  if (topic.length === 0 || name.length > maxTopicLength || name === '.' || name === '..') {
    throw new ConfigurationError(
      `Kafka topic name ${describeValue(name)} (from topic ${describeValue(topic)}) is not valid: ` +
        `it must be 1 to ${maxTopicLength} characters and not "." or "..". Use a shorter topic or prefix.`,
    );
  }
  return name;
}
