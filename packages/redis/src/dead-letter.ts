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

/** The one dead-letter format's header names (from `@tidings/core/spi`), re-exported where they used to live. */
export { deadLetterHeaders } from '@tidings/core/spi';

import { withDeadLetterHeaders } from '@tidings/core/spi';

/** The entry id the dead letter had in its stream, next to core's one dead-letter format. */
export const entryHeader = 'tidings-dead-letter-entry';

export async function deadLetter(
  redis: Redis,
  prefix: string,
  group: string,
  delivery: Delivery,
  reason: string,
  code?: string,
): Promise<void> {
  const { message } = delivery;
  const headers = {
    ...withDeadLetterHeaders(message.headers, {
      reason,
      code,
      group,
      attempts: message.deliveryCount,
      topic: message.topic,
      at: new Date().toISOString(),
    }),
    [entryHeader]: delivery.entryId,
  };
  const results = await redis
    .multi()
    .call('XADD', streamName(prefix, deadLetterTopic(group)), '*', ...entryFields({ ...message, headers }))
    .call('XACK', delivery.stream, group, delivery.entryId)
    .exec();
  const failed = results?.find(([error]) => error)?.[0];
  if (!results || failed) throw failed ?? new Error('MULTI for the dead letter was aborted');
}
