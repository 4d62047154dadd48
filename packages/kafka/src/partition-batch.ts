/**
 * Processes one fetched batch of one partition, in offset order: runs the handler, retries
 * a rejected message in place (the partition waits, so no later message of its key can
 * overtake it), dead-letters it after the last attempt, and commits an offset only once
 * every message before it was handled. Stopping (close or rebalance) finishes the message
 * in flight, commits, and leaves the rest for whoever owns the partition next.
 */
import { DoNotRetry, type MessageHandler, type RetryPolicy } from '@tidings/core';
import { nextRetryDelay, pause } from '@tidings/core/spi';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { toReceivedMessage } from './message-mapping.ts';
import { kafkaDeliveryNotes } from './telemetry.ts';

export interface PartitionBatchContext {
  readonly handler: MessageHandler;
  readonly retry: Required<RetryPolicy>;
  readonly heartbeatIntervalMs: number;
  /** Aborted when the subscription closes. */
  readonly stopping: AbortSignal;
  /** The Tidings topic of a Kafka topic. */
  readonly topicOf: (kafkaTopic: string) => string;
  /** Writes the record to its dead-letter topic; rejects if the broker did not accept it. */
  readonly deadLetter: (
    record: KafkaMessage,
    source: { topic: string; partition: number },
    error: unknown,
    attempts: number,
  ) => Promise<void>;
}

/** Runs the handler once, heartbeating meanwhile so a slow handler keeps its partitions. */
async function attempt(
  ctx: PartitionBatchContext,
  payload: EachBatchPayload,
  record: KafkaMessage,
  deliveryCount: number,
): Promise<{ ok: true } | { ok: false; error: unknown }> {
  const ticker = setInterval(() => {
    // A failed heartbeat (rebalance) is seen again by the next one outside the handler.
    payload.heartbeat().catch(() => undefined);
  }, ctx.heartbeatIntervalMs);
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
  } finally {
    clearInterval(ticker);
  }
}

/** Waits `ms` in heartbeat-sized steps; false when the subscription stops or loses the partition. */
async function waitBeforeRetry(
  ctx: PartitionBatchContext,
  payload: EachBatchPayload,
  ms: number,
  live: () => boolean,
): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    const left = until - Date.now();
    if (left <= 0) return live();
    if (!(await pause(Math.min(left, ctx.heartbeatIntervalMs), ctx.stopping)) || !live()) return false;
    await payload.heartbeat();
  }
}

export async function processPartitionBatch(
  ctx: PartitionBatchContext,
  payload: EachBatchPayload,
): Promise<void> {
  const { batch } = payload;
  const live = () => !ctx.stopping.aborted && payload.isRunning() && !payload.isStale();
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
        } else if (DoNotRetry.is(result.error) || count >= ctx.retry.maxAttempts) {
          await ctx.deadLetter(
            record,
            { topic: batch.topic, partition: batch.partition },
            result.error,
            count,
          );
          handled = true;
        } else {
          // Commit what is done before waiting: a rebalance during the wait then loses nothing.
          await flush();
          if (!(await waitBeforeRetry(ctx, payload, nextRetryDelay(result.error, count, ctx.retry), live)))
            break;
        }
      }
      if (!handled) break;
      payload.resolveOffset(record.offset);
      uncommitted = (BigInt(record.offset) + 1n).toString();
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // On an error the batch is fetched again from the last commit; commit what is done first.
    if (failed) await flush().catch(() => undefined);
    else await flush();
  }
}
