/**
 * The SNS/SQS transport: one SNS topic per Tidings topic, fanned out to one SQS queue per
 * consumer group (raw message delivery). Standard or FIFO; with FIFO the message group is the
 * key (per-aggregate order) and the deduplication id is the message id. Provisions what it
 * uses on first use, idempotently. It never dead-letters by itself: the consumer pipeline
 * does (through `transportDeadLetterSink`); SQS's redrive policy is the backstop.
 */

import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import {
  ClosedError,
  type MessageHandler,
  type SubscribeRequest,
  type Subscription,
  type Transport,
  TransportError,
  type TransportFeatures,
  type TransportMessage,
} from '@tidings/core';
import { checkSubscribeRequest, errorMessage } from '@tidings/core/spi';
import { createDeleteBatcher } from './delete-batcher.ts';
import { type ResolvedSnsSqsOptions, resolveSnsSqsOptions, type SnsSqsTransportOptions } from './options.ts';
import { type GroupQueues, provisionGroupQueues, provisionSnsSqs } from './provision.ts';
import { createSnsPublisher } from './publisher.ts';
import { startQueuePoller } from './queue-poller.ts';
import { redriveMessages } from './redrive.ts';
import { snsSqsTelemetry } from './telemetry.ts';

export interface SnsSqsTransport extends Transport {
  /** Creates (idempotently) the topics, queues and subscriptions group `group` needs. */
  provision(request: { group: string; topics: readonly string[] }): Promise<GroupQueues>;
  /** Moves dead-lettered messages of `group` back to its queue; resolves with how many moved. */
  redriveFromDeadLetterQueue(group: string, options?: { max?: number }): Promise<number>;
}

/** The features of a standard or FIFO setup; see the README for how each was verified. */
export function snsSqsFeatures(fifo: boolean): TransportFeatures {
  return Object.freeze({
    // FIFO: one message group per key, delivered in order, one in flight at a time.
    orderingByKey: fifo,
    // SQS moves a message to the group's -dlq after maxReceiveCount (= maxDeliveries) receives.
    nativeDeadLetter: true,
    // FIFO topics and queues drop a repeated MessageDeduplicationId within 5 minutes.
    nativeDedup: fifo,
    // A rejected message stays invisible for the retry delay (whole seconds).
    delayedRedelivery: true,
    // An unacked message becomes visible again when its visibility timeout lapses.
    redeliversUnacked: true,
    replaysHistory: false,
  });
}

/** SQS's largest `maxReceiveCount`. */
const maxReceiveLimit = 1000;

function provisionOptions(o: ResolvedSnsSqsOptions) {
  return {
    prefix: o.prefix,
    fifo: o.fifo,
    visibilityTimeoutSeconds: o.visibilityTimeoutSeconds,
    maxReceiveCount: o.maxDeliveries,
  };
}

/**
 * Creates an SNS/SQS transport and checks SQS answers (one `ListQueues`), so a wrong
 * endpoint or credentials fail here with a `TransportError`, and bad options with a
 * `ConfigurationError` naming the option.
 *
 * @example
 * const transport = await createSnsSqsTransport({
 *   connection: 'http://127.0.0.1:4566',
 *   clientConfig: { region: 'eu-west-1' },
 *   prefix: 'shop-',
 *   fifo: true,
 * });
 * await transport.subscribe({ group: 'mailer', topics: ['OrderPlaced'] }, async (m) => send(m));
 * await transport.publish([{ id, topic: 'OrderPlaced', key: orderId, ...encodeBinary(event) }]);
 */
export async function createSnsSqsTransport(options: SnsSqsTransportOptions = {}): Promise<SnsSqsTransport> {
  const resolved = resolveSnsSqsOptions(options);
  const destroy = () => {
    if (!resolved.ownsClients) return;
    resolved.sns.destroy();
    resolved.sqs.destroy();
  };
  try {
    await resolved.sqs.send(new ListQueuesCommand({ MaxResults: 1 }));
  } catch (error) {
    destroy();
    throw new TransportError(
      `Cannot reach SQS at ${resolved.endpoint ?? 'the configured endpoint'}: ${errorMessage(error)}. ` +
        'Check the connection, region and credentials.',
      { cause: error },
    );
  }
  const publisher = createSnsPublisher(resolved);
  const subscriptions = new Set<Subscription>();
  let closed = false;
  let closing: Promise<void> | undefined;
  const closedError = (what: string) =>
    new ClosedError(`Cannot ${what}: the ${resolved.name} transport was closed. Create a new one.`);

  async function subscribe(
    request: SubscribeRequest,
    handler: MessageHandler,
    subscribeOptions: { readonly signal?: AbortSignal } = {},
  ): Promise<Subscription> {
    if (closed) throw closedError('subscribe');
    const { signal } = subscribeOptions;
    if (signal?.aborted) throw new ClosedError('subscribe was called with an already aborted signal.');
    const concurrency = checkSubscribeRequest(request);
    // The request's limit (the consumer's retry budget + 1) raises the group queue's
    // maxReceiveCount (SQS updates an existing queue's redrive policy), so the consumer
    // dead-letters first; SQS allows at most 1000 receives.
    const options = {
      ...resolved,
      maxDeliveries: Math.min(maxReceiveLimit, Math.max(resolved.maxDeliveries, request.maxDeliveries ?? 0)),
    };
    const queues = await provisionSnsSqs(resolved, request, provisionOptions(options));
    const poller = startQueuePoller(
      {
        options,
        group: request.group,
        queueUrl: queues.queueUrl,
        handler,
        deletes: createDeleteBatcher(resolved.sqs, queues.queueUrl, resolved.onError),
      },
      concurrency,
    );
    const onAbort = () => void subscription.close();
    const subscription: Subscription = {
      close: async () => {
        signal?.removeEventListener('abort', onAbort);
        subscriptions.delete(subscription);
        await poller.close();
      },
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    subscriptions.add(subscription);
    if (closed) await subscription.close();
    return subscription;
  }

  return {
    name: resolved.name,
    features: snsSqsFeatures(resolved.fifo),
    telemetry: snsSqsTelemetry(resolved),
    async publish(messages: readonly TransportMessage[]) {
      if (closed) throw closedError('publish');
      await publisher.publish(messages);
    },
    subscribe,
    provision: (request) => provisionSnsSqs(resolved, request, provisionOptions(resolved)),
    async redriveFromDeadLetterQueue(group, redrive = {}) {
      const queues = await provisionGroupQueues(resolved.sqs, group, provisionOptions(resolved));
      return redriveMessages(resolved.sqs, queues, { fifo: resolved.fifo, ...redrive });
    },
    close() {
      closed = true;
      closing ??= Promise.all([...subscriptions].map((s) => s.close())).then(destroy);
      return closing;
    },
  };
}
