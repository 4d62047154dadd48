/**
 * Handles the messages of one message group (FIFO) or one message (standard), in order: keeps
 * each invisible while its handler runs, deletes it after success, makes it visible again
 * after the retry delay when the handler rejects, and dead-letters it with the reason after
 * the last attempt. After a rejection the rest of the group is released unhandled, so it
 * comes back behind the rejected message and per-key order holds.
 */
import { ChangeMessageVisibilityCommand, type Message } from '@aws-sdk/client-sqs';
import {
  ConfigurationError,
  DecodeError,
  DoNotRetry,
  type MessageHandler,
  type ReceivedMessage,
} from '@tidings/core';
import { errorCodeOf, errorMessage, nextRetryDelay } from '@tidings/core/spi';
import { sendToDeadLetterQueue } from './dead-letter.ts';
import type { DeleteBatcher } from './delete-batcher.ts';
import { foreignReceived } from './foreign-message.ts';
import type { ResolvedSnsSqsOptions } from './options.ts';
import { sqsDeliveryNotes } from './telemetry.ts';
import { decodeBody, envelopeAttribute, parseEnvelope, toReceived } from './wire-format.ts';

/** SQS's longest visibility timeout. */
const maxVisibilitySeconds = 43_200;
const maxReasonLength = 1_000;

export interface ProcessContext {
  readonly options: ResolvedSnsSqsOptions;
  readonly group: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly handler: MessageHandler;
  readonly deletes: DeleteBatcher;
  /** Aborted when the subscription closes: messages not yet started are released. */
  readonly stopping: AbortSignal;
}

function setVisibility(ctx: ProcessContext, message: Message, seconds: number): Promise<void> {
  return ctx.options.sqs
    .send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: ctx.queueUrl,
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: Math.min(maxVisibilitySeconds, Math.max(0, Math.ceil(seconds))),
      }),
    )
    .then(
      () => undefined,
      (error: unknown) => ctx.options.onError(error),
    );
}

async function decode(ctx: ProcessContext, message: Message): Promise<ReceivedMessage> {
  const attempts = Number(message.Attributes?.ApproximateReceiveCount ?? 1);
  const attribute = message.MessageAttributes?.[envelopeAttribute]?.StringValue;
  if (attribute === undefined) return foreignReceived(message, attempts);
  const envelope = parseEnvelope(attribute);
  const text = message.Body ?? '';
  let body: Uint8Array;
  if (envelope.body === 'ref') {
    if (!ctx.options.payloadStore) {
      throw new ConfigurationError(
        `Message ${envelope.id} has its body offloaded (${text}) but this consumer has no payloadStore. ` +
          'Configure one and redrive the dead-letter queue.',
      );
    }
    body = await ctx.options.payloadStore.get(text);
  } else {
    body = decodeBody(text, envelope.body);
  }
  const sent = Number(message.Attributes?.SentTimestamp);
  const received = toReceived(envelope, body, attempts);
  const stamped = sent > 0 ? { ...received, publishedAt: new Date(sent).toISOString() } : received;
  return sqsDeliveryNotes.note(stamped, { 'aws.sqs.queue.url': ctx.queueUrl });
}

async function deadLetter(
  ctx: ProcessContext,
  message: Message,
  received: ReceivedMessage | undefined,
  error: unknown,
  attempts: number,
): Promise<void> {
  const code = errorCodeOf(error);
  // Core's dead-letter fields, as JSON in one attribute (SQS allows 10 attributes).
  const reason = {
    group: ctx.group,
    reason: errorMessage(error)
      .replace(/[\r\n]+/g, ' ')
      .slice(0, maxReasonLength),
    ...(code ? { code } : {}),
    attempts,
    topic: received?.topic ?? '',
    at: new Date().toISOString(),
  };
  // Rejects if SQS did not take it: the message then stays and SQS's redrive moves it later.
  await sendToDeadLetterQueue(ctx.options.sqs, ctx.deadLetterQueueUrl, message, reason, ctx.options.fifo);
  await ctx.deletes.delete(message.ReceiptHandle ?? '');
  await ctx.options.onDeadLetter?.(received === undefined ? reason : { ...reason, message: received });
}

/** Handles one message; false when it was not finished (retry later), so the group must stop. */
async function processOne(ctx: ProcessContext, message: Message): Promise<boolean> {
  const attempts = Number(message.Attributes?.ApproximateReceiveCount ?? 1);
  let received: ReceivedMessage | undefined;
  let failure: { error: unknown } | undefined;
  const halfVisibility = (ctx.options.visibilityTimeoutSeconds * 1000) / 2;
  const keepInvisible = setInterval(
    () => void setVisibility(ctx, message, ctx.options.visibilityTimeoutSeconds),
    halfVisibility,
  );
  try {
    received = await decode(ctx, message);
    await ctx.handler(received);
  } catch (error) {
    failure = { error };
  } finally {
    clearInterval(keepInvisible);
  }
  if (!failure) {
    await ctx.deletes.delete(message.ReceiptHandle ?? '');
    return true;
  }
  const hopeless =
    DecodeError.is(failure.error) || ConfigurationError.is(failure.error) || DoNotRetry.is(failure.error);
  if (hopeless || attempts >= ctx.options.retry.maxAttempts) {
    try {
      await deadLetter(ctx, message, received, failure.error, attempts);
      return true;
    } catch (error) {
      ctx.options.onError(error);
    }
  }
  const delayMs = nextRetryDelay(failure.error, attempts, ctx.options.retry);
  await setVisibility(ctx, message, delayMs / 1000);
  return false;
}

/** Handles `messages` (one group, in order). */
export async function processInOrder(ctx: ProcessContext, messages: readonly Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    if (message === undefined) continue;
    if (ctx.stopping.aborted || !(await processOne(ctx, message))) {
      // Unhandled: visible again at once, behind the one that failed (FIFO keeps the group).
      const rest = ctx.stopping.aborted ? messages.slice(i) : messages.slice(i + 1);
      await Promise.all(rest.map((m) => setVisibility(ctx, m, 0)));
      return;
    }
  }
}
