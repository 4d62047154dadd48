/**
 * Mapping between Tidings transport messages and Kafka records. The message id travels in
 * its own header (`tidings-id`) next to the CloudEvents `ce-*` headers, the key is the
 * Kafka key (so one key lands on one partition), and the body is the record value.
 */
import type { ReceivedMessage, TransportMessage } from '@tidings/core';
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';

/** Header carrying `TransportMessage.id`. */
export const idHeader = 'tidings-id';

/** Headers added to a dead-lettered record, so an operator can see why and from where. */
export const deadLetterHeaders = {
  reason: 'tidings-dead-letter-reason',
  group: 'tidings-dead-letter-group',
  attempts: 'tidings-dead-letter-attempts',
  topic: 'tidings-dead-letter-topic',
  partition: 'tidings-dead-letter-partition',
  offset: 'tidings-dead-letter-offset',
  at: 'tidings-dead-letter-at',
} as const;

/** A Tidings message as a Kafka record. */
export function toKafkaMessage(message: TransportMessage): Message {
  return {
    key: message.key,
    value: Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength),
    headers: { ...message.headers, [idHeader]: message.id },
  };
}

function headerText(value: IHeaders[string]): string | undefined {
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/** The string headers of a record, without Tidings' own id header. */
export function headersOf(record: KafkaMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    const text = headerText(value);
    if (text !== undefined && name !== idHeader) headers[name] = text;
  }
  return headers;
}

/** A Kafka record as Tidings hands it to a handler. */
export function toReceivedMessage(
  record: KafkaMessage,
  topic: string,
  deliveryCount: number,
): ReceivedMessage {
  const value = record.value ?? Buffer.alloc(0);
  return {
    id: headerText(record.headers?.[idHeader]) ?? '',
    topic,
    key: record.key?.toString('utf8') ?? '',
    headers: headersOf(record),
    body: new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
    deliveryCount,
  };
}
