/**
 * Dead-lettering and redrive. The transport moves a message it gives up on to the group's
 * dead-letter queue itself, adding a `tidings-dead-letter` attribute with the reason (SQS's
 * own redrive, after `maxReceiveCount`, catches consumers that die before deciding). Redrive
 * is receive + send + delete, because emulators lack StartMessageMoveTask.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { TransportError } from '@tidings/core';
import type { DeadLetterFields } from '@tidings/core/spi';
import { fifoId } from './names.ts';

export const deadLetterAttribute = 'tidings-dead-letter';

/** Core's dead-letter fields, carried as the JSON `tidings-dead-letter` attribute. */
export type DeadLetterReason = DeadLetterFields;

function copyAttributes(message: Message, drop?: string): Record<string, MessageAttributeValue> {
  const copy: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (name === drop || !value.DataType) continue;
    copy[name] = { DataType: value.DataType, StringValue: value.StringValue, BinaryValue: value.BinaryValue };
  }
  return copy;
}

/** Sends `message` to the dead-letter queue with the reason; rejects if SQS did not accept it. */
export async function sendToDeadLetterQueue(
  sqs: SQSClient,
  deadLetterQueueUrl: string,
  message: Message,
  reason: DeadLetterReason,
  fifo: boolean,
): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: deadLetterQueueUrl,
      MessageBody: message.Body ?? '-',
      MessageAttributes: {
        ...copyAttributes(message, deadLetterAttribute),
        [deadLetterAttribute]: { DataType: 'String', StringValue: JSON.stringify(reason) },
      },
      ...(fifo
        ? {
            MessageGroupId: message.Attributes?.MessageGroupId ?? 'dead-letter',
            MessageDeduplicationId: fifoId(`${message.MessageId}:dead:${reason.attempts}`),
          }
        : {}),
    }),
  );
}

/**
 * Moves up to `max` messages from `deadLetterQueueUrl` back to `queueUrl`, without their
 * dead-letter attribute. Returns how many moved. A message is deleted from the dead-letter
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
      MessageAttributes: copyAttributes(m, deadLetterAttribute),
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
