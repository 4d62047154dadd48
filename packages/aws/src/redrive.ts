/**
 * Redrive from a group's dead-letter queue, where SQS's redrive policy moved messages past
 * `maxReceiveCount` (= `maxDeliveries`, the backstop; the consumer's own dead letters go
 * through `transportDeadLetterSink` instead). Redrive is receive + send + delete, because
 * emulators lack StartMessageMoveTask.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { TransportError } from '@tidings/core';

function copyAttributes(message: Message): Record<string, MessageAttributeValue> {
  const copy: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (!value.DataType) continue;
    copy[name] = { DataType: value.DataType, StringValue: value.StringValue, BinaryValue: value.BinaryValue };
  }
  return copy;
}

/**
 * Moves up to `max` messages from `deadLetterQueueUrl` back to `queueUrl`, attributes kept. Returns how many moved. A message is deleted from the dead-letter
 * queue only after the send succeeded, so a failure can duplicate but never lose.
 */
export async function redriveMessages(
  sqs: SQSClient,
  from: { deadLetterQueueUrl: string; queueUrl: string },
  options: { fifo: boolean; max?: number },
): Promise<number> {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  let moved = 0;
  while (moved < max) {
    const { Messages: messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: from.deadLetterQueueUrl,
        MaxNumberOfMessages: Math.min(10, max - moved),
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    if (messages.length === 0) break;
    const entries: SendMessageBatchRequestEntry[] = messages.map((m, i) => ({
      Id: `r${i}`,
      MessageBody: m.Body ?? '-',
      MessageAttributes: copyAttributes(m),
      // A fresh dedup id: the original one may still be inside the 5-minute dedup window.
      ...(options.fifo
        ? { MessageGroupId: m.Attributes?.MessageGroupId ?? 'redrive', MessageDeduplicationId: randomUUID() }
        : {}),
    }));
    const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl: from.queueUrl, Entries: entries }));
    const ok = new Set((sent.Successful ?? []).map((s) => s.Id));
    const done = messages.filter((_, i) => ok.has(`r${i}`));
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: from.deadLetterQueueUrl,
          Entries: done.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    moved += done.length;
    if (done.length < messages.length) {
      throw new TransportError(
        `Redrive moved ${moved} message(s) but SQS refused ${messages.length - done.length} ` +
          `(${(sent.Failed ?? []).map((f) => f.Code).join(', ')}); they stay in ${from.deadLetterQueueUrl}. Run it again.`,
      );
    }
  }
  return moved;
}
