/**
 * One consumer-group subscription: a kafkajs consumer with auto-commit off whose batches go
 * to `processPartitionBatch`, and one heartbeat ticker for every batch in flight (no timer
 * per message). `subscribe` resolves once the member has joined its group; `close()` lets
 * the message in flight finish, commits, then leaves the group.
 *
 * The subscription never goes silent. Crashes kafkajs restarts from are reported to
 * `onError`. A crash kafkajs gives up on (a non-retriable error, such as a coordinator
 * answering a SyncGroup with INVALID_REQUEST during a rebalance) is reported too, and a new
 * member joins in its place after a capped backoff, for as long as the subscription is open.
 * While `subscribe` is still joining, such a crash is retried `joinAttempts` times unless
 * the error is one a retry cannot mend (an invalid group id, missing authorisation, an
 * unsupported protocol version): then `subscribe` rejects with it.
 */
import {
  ClosedError,
  type MessageHandler,
  type SubscribeRequest,
  type Subscription,
  TransportError,
} from '@tidings/core';
import { errorMessage, pause } from '@tidings/core/spi';
import type { Consumer, ConsumerCrashEvent, EachBatchPayload } from 'kafkajs';
import type { ResolvedKafkaOptions } from './options.ts';
import { type BeatState, processPartitionBatch } from './partition-batch.ts';
import { kafkaTopicName } from './topic-name.ts';

/** Kafka errors no rejoin can mend: `subscribe` fails fast with them while joining. */
const permanentJoinErrors = new Set([
  'INVALID_GROUP_ID',
  'GROUP_AUTHORIZATION_FAILED',
  'TOPIC_AUTHORIZATION_FAILED',
  'INVALID_TOPIC_EXCEPTION',
  'UNSUPPORTED_VERSION',
  'INVALID_SESSION_TIMEOUT',
  'INCONSISTENT_GROUP_PROTOCOL',
  'SASL_AUTHENTICATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
]);

/** How many times a crash while joining is retried before `subscribe` rejects. */
const joinAttempts = 5;
const rejoinBaseMs = 200;
const rejoinMaxMs = 10_000;

function errorType(error: unknown): string | undefined {
  for (let e = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string') return type;
  }
  return undefined;
}

function isPermanent(error: unknown): boolean {
  const type = errorType(error);
  return type !== undefined && permanentJoinErrors.has(type);
}

function backoffMs(attempt: number): number {
  return Math.min(rejoinMaxMs, rejoinBaseMs * 2 ** Math.min(attempt, 16));
}

/** Resolves when the member has joined; rejects on a crash kafkajs does not restart from. */
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
  const describe = `Kafka consumer of group "${request.group}"`;
  /** The member that currently runs (one at a time); replaced when it crashes for good. */
  let current: Consumer | undefined;

  const eachBatch = (payload: EachBatchPayload) =>
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
    );

  /** Connects, subscribes and runs one member; resolves once it has joined the group. */
  const startMember = async (): Promise<void> => {
    const consumer = options.kafka.consumer({
      groupId: request.group,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      allowAutoTopicCreation: true,
      // Bounds how long close() waits for an idle fetch to return.
      maxWaitTimeInMs: 1_000,
    });
    current = consumer;
    let joinedOnce = false;
    consumer.on(consumer.events.CRASH, (event) => onCrash(consumer, event, joinedOnce));
    const joined = untilJoined(consumer, stopping.signal);
    joined.catch(() => undefined);
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...topics.keys()], fromBeginning: options.fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: Math.max(1, request.concurrency ?? 1),
        eachBatch,
      });
      await joined;
      joinedOnce = true;
    } catch (error) {
      if (current === consumer) current = undefined;
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
  };

  /** A crash of the running member: reported; one kafkajs does not restart from is rejoined. */
  const onCrash = (consumer: Consumer, event: ConsumerCrashEvent, joined: boolean) => {
    if (stopping.signal.aborted || consumer !== current) return;
    const { error, restart } = event.payload;
    if (restart) {
      options.onError(
        new TransportError(`${describe} crashed and restarts: ${errorMessage(error)}.`, { cause: error }),
      );
      return;
    }
    // Still joining: startMember's caller retries (or rejects subscribe).
    if (!joined) return;
    current = undefined;
    void rejoin(error);
  };

  /** Replaces a member that kafkajs gave up on, until one joins or the subscription closes. */
  const rejoin = async (stoppedBy: unknown): Promise<void> => {
    let error = stoppedBy;
    for (let attempt = 0; ; attempt++) {
      const delay = backoffMs(attempt);
      options.onError(
        new TransportError(
          `${describe} stopped on an error kafkajs does not restart from: ${errorMessage(error)}. ` +
            `A new member joins in ${delay} ms.`,
          { cause: error },
        ),
      );
      if (!(await pause(delay, stopping.signal))) return;
      try {
        await startMember();
        return;
      } catch (next) {
        if (stopping.signal.aborted) return;
        error = next;
      }
    }
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopping.abort();
      signal?.removeEventListener('abort', onAbort);
      // disconnect() waits for the running batch (which stops after its message), then leaves.
      await current?.disconnect().catch(() => undefined);
      heartbeat.stop();
    })();
    return closing;
  };
  const onAbort = () => void close();
  if (signal?.aborted) throw new ClosedError('subscribe was called with an already aborted signal.');
  signal?.addEventListener('abort', onAbort, { once: true });

  for (let attempt = 1; ; attempt++) {
    try {
      await startMember();
      break;
    } catch (caught) {
      let error = caught;
      const retry =
        attempt < joinAttempts && !isPermanent(error) && !ClosedError.is(error) && !stopping.signal.aborted;
      if (retry) {
        const delay = backoffMs(attempt - 1);
        options.onError(
          new TransportError(
            `${describe} could not join (attempt ${attempt} of ${joinAttempts}): ${errorMessage(error)}. ` +
              `Joining again in ${delay} ms.`,
            { cause: error },
          ),
        );
        if (await pause(delay, stopping.signal)) continue;
        error = new ClosedError('The subscription was closed before it joined.');
      }
      await close();
      if (ClosedError.is(error)) throw error;
      throw new TransportError(
        `Cannot subscribe group "${request.group}" to Kafka topic(s) ${[...topics.keys()].join(', ')}: ` +
          `${errorMessage(error)}. Check the brokers are reachable and the group id is valid.`,
        { cause: error },
      );
    }
  }
  return { close };
}
