/**
 * The message that redrives a received dead letter: the original headers, key and body,
 * back to the topic it was received on, addressed to the group that gave up on it only
 * (`tidings-redrive-group`), under a fresh id so brokers that deduplicate by id (JetStream,
 * SQS FIFO) do not drop it as a repeat. Consumers still recognise the event by its `ce-id`.
 */
import type { ReceivedDeadLetter } from '../outbox/received-dead-letters.ts';
import { deadLetterHeaders, redriveGroupHeader } from '../transport/dead-letter-format.ts';
import type { ReceivedMessage, TransportMessage } from '../transport/transport.ts';

const dropped = new Set<string>([...Object.values(deadLetterHeaders), redriveGroupHeader]);

export function toReceivedRedriveMessage(
  letter: Pick<ReceivedDeadLetter, 'messageId' | 'topic' | 'key' | 'headers' | 'body' | 'group'>,
  at: string,
): TransportMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(letter.headers)) if (!dropped.has(name)) headers[name] = value;
  headers[redriveGroupHeader] = letter.group;
  const eventId = headers['ce-id'] ?? letter.messageId;
  return { id: `${eventId}:redrive:${at}`, topic: letter.topic, key: letter.key, headers, body: letter.body };
}

/** True when `message` is a redrive addressed to another group than `group`: ack and skip it. */
export function isRedriveForAnotherGroup(message: ReceivedMessage, group: string): boolean {
  const addressee = message.headers[redriveGroupHeader];
  return addressee !== undefined && addressee !== group;
}
