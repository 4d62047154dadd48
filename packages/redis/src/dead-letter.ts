/**
 * Redis Streams have no dead-letter destination, so an exhausted entry is copied to the
 * stream `<prefix>deadletter:<group>` with the reason and acked in one MULTI, so it is
 * either still pending or dead-lettered, never both nor neither.
 */
import type { Redis } from 'ioredis';
import { type Delivery, entryFields, streamName } from './entry.ts';

/** The topic (stream name without prefix) holding a group's dead letters. */
export function deadLetterTopic(group: string): string {
  return `deadletter:${group}`;
}

/** Headers a dead letter carries besides the original ones. */
export const deadLetterHeaders = {
  reason: 'tidings-dead-letter-reason',
  topic: 'tidings-dead-letter-topic',
  group: 'tidings-dead-letter-group',
  deliveries: 'tidings-dead-letter-deliveries',
  entry: 'tidings-dead-letter-entry',
} as const;

export async function deadLetter(
  redis: Redis,
  prefix: string,
  group: string,
  delivery: Delivery,
  reason: string,
): Promise<void> {
  const { message } = delivery;
  const headers = {
    ...message.headers,
    [deadLetterHeaders.reason]: reason.slice(0, 1000),
    [deadLetterHeaders.topic]: message.topic,
    [deadLetterHeaders.group]: group,
    [deadLetterHeaders.deliveries]: String(message.deliveryCount),
    [deadLetterHeaders.entry]: delivery.entryId,
  };
  const results = await redis
    .multi()
    .call('XADD', streamName(prefix, deadLetterTopic(group)), '*', ...entryFields({ ...message, headers }))
    .call('XACK', delivery.stream, group, delivery.entryId)
    .exec();
  const failed = results?.find(([error]) => error)?.[0];
  if (!results || failed) throw failed ?? new Error('MULTI for the dead letter was aborted');
}
