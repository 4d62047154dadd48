/**
 * Maps Tidings messages to AMQP messages and back, in the CloudEvents AMQP binding:
 * attributes as `cloudEvents_*` application properties (the headers table), the content
 * type as the AMQP `content-type` property; other headers travel unchanged. The key, and
 * after a delayed retry the topic and delivery count, travel in this transport's own
 * `x-tidings-key|topic|deliveries` headers. Those and the headers the broker adds
 * (`x-death`, `x-delivery-count`, …) are removed on the way in; every other header, a dead
 * letter's `tidings-dead-letter-*` headers included, reaches the handler.
 */
import type { ReceivedMessage, TransportMessage } from '@tidings/core';
import { fromAmqpProperties, isoTime, toAmqpProperties } from '@tidings/core/spi';
import type { ConsumeMessage, Options } from 'amqplib';
import { topicOf } from './names.ts';

export const KEY_HEADER = 'x-tidings-key';
export const TOPIC_HEADER = 'x-tidings-topic';
export const DELIVERIES_HEADER = 'x-tidings-deliveries';

const brokerHeaders =
  /^(x-death$|x-first-death-|x-last-death-|x-delivery-count$|x-tidings-(key|topic|deliveries)$)/;

export function toAmqp(message: TransportMessage): { content: Buffer; options: Options.Publish } {
  const { headers, contentType } = toAmqpProperties(message.headers);
  // The binding's table is fresh: the key goes into it, not into a copy of it.
  headers[KEY_HEADER] = message.key;
  const options: Options.Publish = {
    persistent: true,
    messageId: message.id,
    // Seconds, as AMQP 0-9-1 timestamps are: stands in for a foreign event's missing `time`.
    timestamp: Math.floor(Date.now() / 1000),
    headers,
  };
  if (contentType !== undefined) options.contentType = contentType;
  return {
    content: Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength),
    options,
  };
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
}

/** Deliveries so far, this one included: what came before a wait-queue hop plus this queue's count. */
export function deliveryCountOf(message: ConsumeMessage): number {
  const headers = message.properties.headers ?? {};
  const before = Number(headers[DELIVERIES_HEADER] ?? 0) || 0;
  const returned = Number(headers['x-delivery-count'] ?? 0) || 0;
  const here = Math.max(returned + 1, message.fields.redelivered ? 2 : 1);
  return before + here;
}

function publishedAtOf(message: ConsumeMessage): string | undefined {
  const seconds = Number(message.properties.timestamp);
  return Number.isFinite(seconds) && seconds > 0 ? isoTime(seconds * 1000) : undefined;
}

export function fromAmqp(message: ConsumeMessage): ReceivedMessage {
  const raw = message.properties.headers ?? {};
  const wire: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    // A field-table void (null) is no value: leave the header out rather than invent "null".
    if (!brokerHeaders.test(name) && value !== undefined && value !== null) wire[name] = text(value);
  }
  const headers = fromAmqpProperties(wire, message.properties.contentType ?? undefined);
  const publishedAt = publishedAtOf(message);
  // A foreign producer may set no message-id: the binding's `cloudEvents_id` names it then.
  const id = message.properties.messageId ?? raw.cloudEvents_id ?? raw['cloudEvents:id'] ?? '';
  return {
    id: text(id),
    topic: raw[TOPIC_HEADER] === undefined ? topicOf(message.fields.routingKey) : text(raw[TOPIC_HEADER]),
    key: text(raw[KEY_HEADER] ?? ''),
    headers,
    body: message.content,
    deliveryCount: deliveryCountOf(message),
    ...(publishedAt === undefined ? {} : { publishedAt }),
  };
}

/** The copy that waits in a wait queue: same id and headers, topic and count remembered. */
export function forWaitQueue(message: ConsumeMessage, delivered: ReceivedMessage): Options.Publish {
  const { headers } = toAmqpProperties(delivered.headers);
  return {
    persistent: true,
    messageId: delivered.id,
    headers: {
      ...headers,
      [KEY_HEADER]: delivered.key,
      [TOPIC_HEADER]: delivered.topic,
      [DELIVERIES_HEADER]: delivered.deliveryCount,
    },
    ...(message.properties.timestamp ? { timestamp: message.properties.timestamp } : {}),
    ...(message.properties.contentType ? { contentType: message.properties.contentType } : {}),
  };
}
