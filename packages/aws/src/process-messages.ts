/**
 * Handles the messages of one message group (FIFO) or one message (standard), in order:
 * registers each with the subscription's one visibility extender while its handler runs,
 * deletes it after success, and makes it visible again after the rejection's `retryDelayMs`
 * (at once without one). After a rejection the rest of the group is released unhandled, so
 * it comes back behind the rejected message and per-key order holds. The transport never
 * dead-letters: the consumer pipeline decides, and the queue's redrive policy
 * (`maxReceiveCount` = `maxDeliveries`) is the backstop that moves a message to `-dlq`.
 * A message the transport cannot read (a malformed or forged `tidings` attribute, an
 * offloaded body with no payload store to fetch it) still reaches the handler, with the
 * reason in `tidings-transport-error`, so the consumer dead-letters it where it can be
 * listed and redriven, instead of it coming back until SQS moves it to `-dlq`.
 */
import { ChangeMessageVisibilityCommand, type Message } from '@aws-sdk/client-sqs';
import type { MessageHandler, ReceivedMessage } from '@tidings/core';
import { TransportError } from '@tidings/core';
import { errorMessage, isoTime, retryDelayOf, transportErrorHeader } from '@tidings/core/spi';
import type { DeleteBatcher } from './delete-batcher.ts';
import { foreignReceived, stringAttributes } from './foreign-message.ts';
import type { InFlight } from './in-flight.ts';
import type { ResolvedSnsSqsOptions } from './options.ts';
import { sqsDeliveryNotes } from './telemetry.ts';
import {
  decodeBody,
  envelopeAttribute,
  parseEnvelope,
  toReceived,
  type WireEnvelope,
} from './wire-format.ts';

/** SQS's longest visibility timeout. */
const maxVisibilitySeconds = 43_200;

export interface ProcessContext {
  readonly options: ResolvedSnsSqsOptions;
  readonly group: string;
  readonly queueUrl: string;
  readonly handler: MessageHandler;
  readonly deletes: DeleteBatcher;
  /** The subscription's visibility extender. */
  readonly inFlight: InFlight;
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

const encoder = new TextEncoder();

/**
 * A message the transport refuses to read, as the handler gets it: the body as it arrived,
 * the message's own string attributes with the envelope's fields over them when the envelope
 * could be read, and the reason in `tidings-transport-error`.
 */
function refused(
  message: Message,
  deliveryCount: number,
  reason: string,
  envelope?: WireEnvelope,
): ReceivedMessage {
  const { [envelopeAttribute]: _forged, ...attributes } = stringAttributes(message.MessageAttributes);
  const headers = { ...attributes, ...envelope?.headers, [transportErrorHeader]: reason };
  return {
    id: envelope?.id || attributes['ce-id'] || message.MessageId || '',
    topic: envelope?.topic ?? '',
    key: envelope?.key ?? message.Attributes?.MessageGroupId ?? '',
    headers,
    body: encoder.encode(message.Body ?? ''),
    deliveryCount,
  };
}

async function decode(ctx: ProcessContext, message: Message): Promise<ReceivedMessage> {
  const attempts = Number(message.Attributes?.ApproximateReceiveCount ?? 1);
  const attribute = message.MessageAttributes?.[envelopeAttribute]?.StringValue;
  if (attribute === undefined) return foreignReceived(message, attempts);
  let envelope: WireEnvelope;
  try {
    envelope = parseEnvelope(attribute);
  } catch (error) {
    return refused(message, attempts, errorMessage(error));
  }
  const text = message.Body ?? '';
  let body: Uint8Array;
  if (envelope.body === 'ref') {
    if (!ctx.options.payloadStore) {
      return refused(
        message,
        attempts,
        `Message ${envelope.id} has its body offloaded (${text}) but this consumer has no payloadStore. ` +
          'Configure one and redrive the dead letter.',
        envelope,
      );
    }
    // A failing store may be down for a while: the message comes back after the visibility timeout.
    body = await ctx.options.payloadStore.get(text);
  } else {
    body = decodeBody(text, envelope.body);
  }
  const sent = Number(message.Attributes?.SentTimestamp);
  const received = toReceived(envelope, body, attempts);
  const stamped = sent > 0 ? { ...received, publishedAt: isoTime(sent) } : received;
  return sqsDeliveryNotes.note(stamped, { 'aws.sqs.queue.url': ctx.queueUrl });
}

/** Handles one message; false when it was not finished (retry later), so the group must stop. */
async function processOne(ctx: ProcessContext, message: Message): Promise<boolean> {
  let received: ReceivedMessage;
  try {
    received = await decode(ctx, message);
  } catch (error) {
    // Its offloaded body could not be fetched: it stays invisible for the visibility timeout,
    // comes back, and after maxDeliveries receives SQS moves it to the dead-letter queue.
    ctx.options.onError(
      new TransportError(
        `SQS message ${message.MessageId} of group "${ctx.group}" cannot be read: ${errorMessage(error)}. ` +
          `It is received again after the visibility timeout; after ${ctx.options.maxDeliveries} receives SQS moves it to the group's dead-letter queue.`,
        { cause: error },
      ),
    );
    return false;
  }
  ctx.inFlight.add(message);
  try {
    await ctx.handler(received);
  } catch (error) {
    ctx.inFlight.delete(message);
    await setVisibility(ctx, message, (retryDelayOf(error) ?? 0) / 1000);
    return false;
  }
  ctx.inFlight.delete(message);
  await ctx.deletes.delete(message.ReceiptHandle ?? '');
  return true;
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
