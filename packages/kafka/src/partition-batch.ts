/**
 * Processes one fetched batch of one partition, in offset order: runs the handler, retries
 * a rejected message in place after the rejection's `retryDelayMs` (the partition waits, so
 * no later message of its key can overtake it; `deliveryCount` counts the attempts), and
 * commits an offset only once every message before it was handled. The transport never
 * dead-letters: the consumer pipeline decides (it acks a message it dead-lettered), and
 * past `maxDeliveries` the stuck message is reported to `onError` once and still retried.
 * Stopping (close or rebalance) finishes the message in flight, commits, and leaves the
 * rest for whoever owns the partition next. Heartbeats come from the subscription's one
 * ticker, which records a failed heartbeat (a rebalance) in `beat` for the retry wait to see.
 */
import { type MessageHandler, TransportError } from '@tidings/core';
import { pause, retryDelayOf } from '@tidings/core/spi';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { toReceivedMessage } from './message-mapping.ts';
import { kafkaDeliveryNotes } from './telemetry.ts';

/** What the subscription's heartbeat ticker saw while this batch ran. */
export interface BeatState {
  error?: unknown;
}

export interface PartitionBatchContext {
  readonly handler: MessageHandler;
  readonly maxDeliveries: number;
  readonly heartbeatIntervalMs: number;
  readonly onError: (error: unknown) => void;
  /** Aborted when the subscription closes. */
  readonly stopping: AbortSignal;
  /** The Tidings topic of a Kafka topic. */
  readonly topicOf: (kafkaTopic: string) => string;
  /** Registers the batch with the subscription's heartbeat ticker until the returned function runs. */
  readonly beating: (payload: EachBatchPayload) => { state: BeatState; done: () => void };
}

/** Runs the handler once; the subscription's ticker keeps the member alive meanwhile. */
async function attempt(
  ctx: PartitionBatchContext,
  payload: EachBatchPayload,
  record: KafkaMessage,
  deliveryCount: number,
): Promise<{ ok: true } | { ok: false; error: unknown }> {
  try {
    const { topic, partition } = payload.batch;
    const message = kafkaDeliveryNotes.note(
      toReceivedMessage(record, ctx.topicOf(topic), deliveryCount, partition),
      {
        'messaging.destination.name': topic,
        'messaging.destination.partition.id': String(partition),
        'messaging.kafka.offset': Number(record.offset),
      },
    );
    await ctx.handler(message);
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Waits `ms` in heartbeat-sized steps; false when the subscription stops or loses the
 * partition; throws a heartbeat failure so kafkajs rejoins the group as it does for its own.
 */
async function waitBeforeRetry(
  ctx: PartitionBatchContext,
  beat: BeatState,
  ms: number,
  live: () => boolean,
): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (beat.error !== undefined) {
      const error = beat.error;
      beat.error = undefined;
      throw error;
    }
    const left = until - Date.now();
    if (left <= 0) return live();
    if (!(await pause(Math.min(left, ctx.heartbeatIntervalMs), ctx.stopping)) || !live()) return false;
  }
}

export async function processPartitionBatch(
  ctx: PartitionBatchContext,
  payload: EachBatchPayload,
): Promise<void> {
  const { batch } = payload;
  const live = () => !ctx.stopping.aborted && payload.isRunning() && !payload.isStale();
  const { state: beat, done } = ctx.beating(payload);
  let uncommitted: string | undefined;
  const flush = async () => {
    if (uncommitted === undefined) return;
    const offset = uncommitted;
    uncommitted = undefined;
    // Through the batch, not consumer.commitOffsets: kafkajs drops the latter once stop() began,
    // and close() must commit what the in-flight handler finished before leaving the group.
    await payload.commitOffsetsIfNecessary({
      topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset }] }],
    });
  };

  let failed = false;
  try {
    for (const record of batch.messages) {
      if (!live()) break;
      let handled = false;
      for (let count = 1; !handled; count++) {
        const result = await attempt(ctx, payload, record, count);
        if (result.ok) {
          handled = true;
          break;
        }
        if (count === ctx.maxDeliveries) {
          ctx.onError(
            new TransportError(
              `Kafka message ${batch.topic}[${batch.partition}]@${record.offset} failed ${count} deliveries ` +
                `(maxDeliveries); its partition waits behind it while it is retried. Let the consumer ` +
                `dead-letter it (the handler's retry.maxAttempts) or fix the handler.`,
              { cause: result.error },
            ),
          );
        }
        // Commit what is done before waiting: a rebalance during the wait then loses nothing.
        await flush();
        if (!(await waitBeforeRetry(ctx, beat, retryDelayOf(result.error) ?? 0, live))) break;
      }
      if (!handled) break;
      payload.resolveOffset(record.offset);
      uncommitted = (BigInt(record.offset) + 1n).toString();
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    done();
    // On an error the batch is fetched again from the last commit; commit what is done first.
    if (failed) await flush().catch(() => undefined);
    else await flush();
  }
}
