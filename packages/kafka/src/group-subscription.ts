/**
 * One consumer-group subscription: a kafkajs consumer with auto-commit off whose batches go
 * to `processPartitionBatch`, and one heartbeat ticker for every batch in flight (no timer
 * per message). `subscribe` resolves once the member has joined its group; `close()` lets
 * the message in flight finish, commits, then leaves the group. Crashes kafkajs restarts
 * from are reported to `onError`.
 */
import {
  ClosedError,
  type MessageHandler,
  type SubscribeRequest,
  type Subscription,
  TransportError,
} from '@tidings/core';
import { errorMessage } from '@tidings/core/spi';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { ResolvedKafkaOptions } from './options.ts';
import { type BeatState, processPartitionBatch } from './partition-batch.ts';
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

/** One ticker for the subscription: heartbeats while any batch runs, failures go to each batch. */
function createHeartbeat(intervalMs: number) {
  const running = new Map<EachBatchPayload, BeatState>();
  const ticker = setInterval(() => {
    // The heartbeat is the member's, not the partition's: one call covers every batch.
    const [first] = running.keys();
    first?.heartbeat().catch((error: unknown) => {
      for (const state of running.values()) state.error = error;
    });
  }, intervalMs);
  ticker.unref();
  return {
    beating(payload: EachBatchPayload) {
      const state: BeatState = {};
      running.set(payload, state);
      return { state, done: () => running.delete(payload) };
    },
    stop: () => clearInterval(ticker),
  };
}

export async function createGroupSubscription(
  options: ResolvedKafkaOptions,
  request: SubscribeRequest,
  handler: MessageHandler,
  signal: AbortSignal | undefined,
): Promise<Subscription> {
  const topics = new Map(request.topics.map((t) => [kafkaTopicName(t, options.topicPrefix), t]));
  const stopping = new AbortController();
  const heartbeat = createHeartbeat(options.heartbeatIntervalMs);
  const consumer = options.kafka.consumer({
    groupId: request.group,
    sessionTimeout: options.sessionTimeoutMs,
    heartbeatInterval: options.heartbeatIntervalMs,
    allowAutoTopicCreation: true,
    // Bounds how long close() waits for an idle fetch to return.
    maxWaitTimeInMs: 1_000,
  });
  consumer.on(consumer.events.CRASH, (event) => {
    if (event.payload.restart && !stopping.signal.aborted) {
      options.onError(
        new TransportError(
          `Kafka consumer of group "${request.group}" crashed and restarts: ${errorMessage(event.payload.error)}.`,
          { cause: event.payload.error },
        ),
      );
    }
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopping.abort();
      signal?.removeEventListener('abort', onAbort);
      // disconnect() waits for the running batch (which stops after its message), then leaves.
      await consumer.disconnect().catch(() => undefined);
      heartbeat.stop();
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
            // The request's limit (the consumer's retry budget + 1) raises the report threshold:
            // a message the consumer is still retrying within its budget is not reported as stuck.
            maxDeliveries: Math.max(options.maxDeliveries, request.maxDeliveries ?? 0),
            heartbeatIntervalMs: options.heartbeatIntervalMs,
            onError: options.onError,
            stopping: stopping.signal,
            topicOf: (kafkaTopic) => topics.get(kafkaTopic) ?? kafkaTopic,
            beating: heartbeat.beating,
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
