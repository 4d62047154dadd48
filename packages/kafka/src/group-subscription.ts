/**
 * One consumer-group subscription: a kafkajs consumer with auto-commit off whose batches go
 * to `processPartitionBatch`. `subscribe` resolves once the member has joined its group;
 * `close()` lets the message in flight finish, commits, then leaves the group.
 */
import {
  ClosedError,
  type MessageHandler,
  type SubscribeRequest,
  type Subscription,
  TransportError,
} from '@tidings/core';
import { errorCodeOf, errorMessage, withDeadLetterHeaders } from '@tidings/core/spi';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { kafkaDeadLetterHeaders } from './message-mapping.ts';
import type { ResolvedKafkaOptions } from './options.ts';
import { processPartitionBatch } from './partition-batch.ts';
import type { KafkaPublisher } from './publisher.ts';
import { kafkaTopicName } from './topic-name.ts';

function untilJoined(consumer: Consumer, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const removers: (() => void)[] = [];
    const done = (fn: () => void) => {
      for (const remove of removers) remove();
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () =>
      done(() => reject(new ClosedError('The subscription was closed before it joined.')));
    removers.push(consumer.on(consumer.events.GROUP_JOIN, () => done(resolve)));
    removers.push(
      consumer.on(consumer.events.CRASH, (event) => {
        if (!event.payload.restart) done(() => reject(event.payload.error));
      }),
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export async function createGroupSubscription(
  kafka: Kafka,
  options: ResolvedKafkaOptions,
  publisher: KafkaPublisher,
  request: SubscribeRequest,
  handler: MessageHandler,
  signal: AbortSignal | undefined,
): Promise<Subscription> {
  const topics = new Map(request.topics.map((t) => [kafkaTopicName(t, options.topicPrefix), t]));
  const stopping = new AbortController();
  const consumer = kafka.consumer({
    groupId: request.group,
    sessionTimeout: options.sessionTimeoutMs,
    heartbeatInterval: options.heartbeatIntervalMs,
    allowAutoTopicCreation: true,
    // Bounds how long close() waits for an idle fetch to return.
    maxWaitTimeInMs: 1_000,
  });

  async function deadLetter(
    record: KafkaMessage,
    source: { topic: string; partition: number },
    error: unknown,
    attempts: number,
  ): Promise<void> {
    await publisher.sendRecords(options.deadLetterTopic(source.topic), [
      {
        key: record.key,
        value: record.value,
        headers: {
          ...record.headers,
          ...withDeadLetterHeaders(
            {},
            {
              reason: errorMessage(error),
              code: errorCodeOf(error),
              group: request.group,
              attempts,
              topic: source.topic,
              at: new Date().toISOString(),
            },
          ),
          [kafkaDeadLetterHeaders.partition]: String(source.partition),
          [kafkaDeadLetterHeaders.offset]: record.offset,
        },
      },
    ]);
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopping.abort();
      signal?.removeEventListener('abort', onAbort);
      // disconnect() waits for the running batch (which stops after its message), then leaves.
      await consumer.disconnect().catch(() => undefined);
    })();
    return closing;
  };
  const onAbort = () => void close();
  if (signal?.aborted) throw new ClosedError('subscribe was called with an already aborted signal.');
  signal?.addEventListener('abort', onAbort, { once: true });

  const joined = untilJoined(consumer, stopping.signal);
  joined.catch(() => undefined);
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics.keys()], fromBeginning: options.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, request.concurrency ?? 1),
      eachBatch: (payload) =>
        processPartitionBatch(
          {
            handler,
            retry: options.retry,
            heartbeatIntervalMs: options.heartbeatIntervalMs,
            stopping: stopping.signal,
            topicOf: (kafkaTopic) => topics.get(kafkaTopic) ?? kafkaTopic,
            deadLetter,
          },
          payload,
        ),
    });
    await joined;
  } catch (error) {
    await close();
    if (ClosedError.is(error)) throw error;
    throw new TransportError(
      `Cannot subscribe group "${request.group}" to Kafka topic(s) ${[...topics.keys()].join(', ')}: ` +
        `${errorMessage(error)}. Check the brokers are reachable and the group id is valid.`,
      { cause: error },
    );
  }
  return { close };
}
