/**
 * JetStream has no dead-letter destination of its own (exhausted messages only raise an
 * advisory), so the transport republishes them to `<prefix>.deadletter.<group>` in the same
 * stream, with the reason in core's dead-letter headers, before removing the original from the consumer.
 */
import type { ReceivedMessage } from '@tidings/core';
import { deadLetterIdOf, withDeadLetterHeaders } from '@tidings/core/spi';
import { type PublishTarget, publishOne } from './publish.ts';
import { deadLetterTopic, topicSubject } from './subjects.ts';

/** The one dead-letter format's header names (from `@tidings/core/spi`), re-exported where they used to live. */
export { deadLetterHeaders } from '@tidings/core/spi';

export async function publishDeadLetter(
  target: PublishTarget,
  group: string,
  message: ReceivedMessage,
  reason: string,
  code?: string,
): Promise<void> {
  const headers = withDeadLetterHeaders(message.headers, {
    reason,
    code,
    group,
    attempts: message.deliveryCount,
    topic: message.topic,
    at: new Date().toISOString(),
  });
  await publishOne(
    target,
    topicSubject(target.prefix, deadLetterTopic(group)),
    { id: message.id, key: message.key, headers, body: message.body },
    // Dedup: a member that dies after this publish and before its ack cannot write it twice.
    deadLetterIdOf(message.id, group),
  );
}
