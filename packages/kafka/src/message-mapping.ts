/**
 * Mapping between Tidings transport messages and Kafka records, in the CloudEvents Kafka
 * binding: attributes as `ce_*` headers, `content-type`, the key is the Kafka key (so one
 * key lands on one partition), the body is the record value. The message id travels in
 * its own header (`tidings-id`); a record without it (a foreign producer's) is known by
 * its `ce_id`, else by topic, partition and offset.
 */
import type { ReceivedMessage, TransportMessage } from '@tidings/core';
import { fromKafkaHeaders, isoTime, toKafkaHeaders } from '@tidings/core/spi';
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';

/** Header carrying `TransportMessage.id`. */
export const idHeader = 'tidings-id';

/** A Tidings message as a Kafka record. */
export function toKafkaMessage(message: TransportMessage): Message {
  return {
    key: message.key,
    value: Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength),
    headers: { ...toKafkaHeaders(message.headers), [idHeader]: message.id },
  };
}

function headerText(value: IHeaders[string]): string | undefined {
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/** The string headers of a record in core's form, without Tidings' own id header. */
export function headersOf(record: KafkaMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    const text = headerText(value);
    if (text !== undefined && name !== idHeader) headers[name] = text;
  }
  return fromKafkaHeaders(headers);
}

/** The record's broker timestamp (ms since the epoch, as text) as ISO-8601. */
function timestampOf(record: KafkaMessage): string | undefined {
  const ms = Number(record.timestamp);
  return record.timestamp && Number.isFinite(ms) && ms > 0 ? isoTime(ms) : undefined;
}

/** A Kafka record as Tidings hands it to a handler. */
export function toReceivedMessage(
  record: KafkaMessage,
  topic: string,
  deliveryCount: number,
  partition = 0,
): ReceivedMessage {
  const value = record.value ?? Buffer.alloc(0);
  const publishedAt = timestampOf(record);
  const id =
    headerText(record.headers?.[idHeader]) ??
    headerText(record.headers?.ce_id) ??
    `${topic}/${partition}/${record.offset}`;
  return {
    id,
    topic,
    key: record.key?.toString('utf8') ?? '',
    headers: headersOf(record),
    body: new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
    deliveryCount,
    ...(publishedAt === undefined ? {} : { publishedAt }),
  };
}
