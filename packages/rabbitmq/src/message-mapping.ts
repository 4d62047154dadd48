/**
 * Maps Tidings messages to AMQP messages and back. Headers travel as AMQP headers
 * unchanged; the key, and after a delayed retry the topic and delivery count, travel in
 * `x-tidings-*` headers. Headers the broker adds (`x-death`, `x-delivery-count`, …) are
 * removed on the way in.
 */
import type { ReceivedMessage, TransportMessage } from '@tidings/core';
import type { ConsumeMessage, Options } from 'amqplib';
import { topicOf } from './names.ts';

export const KEY_HEADER = 'x-tidings-key';
export const TOPIC_HEADER = 'x-tidings-topic';
export const DELIVERIES_HEADER = 'x-tidings-deliveries';

const brokerHeaders = /^(x-death|x-first-death-|x-last-death-|x-delivery-count$|x-tidings-)/;

export function toAmqp(message: TransportMessage): { content: Buffer; options: Options.Publish } {
  return {
    content: Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength),
    options: {
      persistent: true,
      messageId: message.id,
      headers: { ...message.headers, [KEY_HEADER]: message.key },
    },
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

export function fromAmqp(message: ConsumeMessage): ReceivedMessage {
  const raw = message.properties.headers ?? {};
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    // A field-table void (null) is no value: leave the header out rather than invent "null".
    if (!brokerHeaders.test(name) && value !== undefined && value !== null) headers[name] = text(value);
  }
  return {
    id: text(message.properties.messageId ?? ''),
    topic: raw[TOPIC_HEADER] === undefined ? topicOf(message.fields.routingKey) : text(raw[TOPIC_HEADER]),
    key: text(raw[KEY_HEADER] ?? ''),
    headers,
    body: message.content,
    deliveryCount: deliveryCountOf(message),
  };
}

/** The copy that waits in a wait queue: same id and headers, topic and count remembered. */
export function forWaitQueue(message: ConsumeMessage, delivered: ReceivedMessage): Options.Publish {
  return {
    persistent: true,
    messageId: delivered.id,
    headers: {
      ...delivered.headers,
      [KEY_HEADER]: delivered.key,
      [TOPIC_HEADER]: delivered.topic,
      [DELIVERIES_HEADER]: delivered.deliveryCount,
    },
    ...(message.properties.contentType ? { contentType: message.properties.contentType } : {}),
  };
}
