/**
 * JetStream has no dead-letter destination of its own (exhausted messages only raise an
 * advisory), so the transport republishes them to `<prefix>.deadletter.<group>` in the same
 * stream, with the reason in headers, before removing the original from the consumer.
 */
import type { ReceivedMessage } from '@tidings/core';
import { type PublishTarget, publishOne } from './publish.ts';
import { deadLetterTopic, topicSubject } from './subjects.ts';

/** Headers a dead letter carries besides the original ones. */
export const deadLetterHeaders = {
  reason: 'tidings-dead-letter-reason',
  topic: 'tidings-dead-letter-topic',
  group: 'tidings-dead-letter-group',
  deliveries: 'tidings-dead-letter-deliveries',
} as const;

export async function publishDeadLetter(
  target: PublishTarget,
  group: string,
  message: ReceivedMessage,
  reason: string,
): Promise<void> {
  const headers = {
    ...message.headers,
    [deadLetterHeaders.reason]: reason.replace(/[\r\n]+/g, ' ').slice(0, 1000),
    [deadLetterHeaders.topic]: message.topic,
    [deadLetterHeaders.group]: group,
    [deadLetterHeaders.deliveries]: String(message.deliveryCount),
  };
  await publishOne(
    target,
    topicSubject(target.prefix, deadLetterTopic(group)),
    { id: message.id, key: message.key, headers, body: message.body },
    // Dedup: a member that dies after this publish and before its ack cannot write it twice.
    `${message.id}:deadletter:${group}`,
  );
}
