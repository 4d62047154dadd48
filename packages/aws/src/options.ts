/**
 * Options of `createSnsSqsTransport`, with their defaults resolved in one place.
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ConfigurationError, type ReceivedMessage, type RetryPolicy } from '@tidings/core';
import { resolvePolicy } from '@tidings/core/spi';
import type { PayloadStore } from './payload-store.ts';

/** What the transport records about a message it dead-lettered. */
export interface DeadLetterRecord {
  readonly group: string;
  readonly reason: string;
  readonly attempts: number;
  readonly at: string;
  /** The message, where it could be decoded (undecodable input is dead-lettered too). */
  readonly message?: ReceivedMessage;
}

export interface SnsSqsTransportOptions {
  /** SNS client (region, credentials, endpoint are yours). `close()` does not destroy it. */
  readonly sns: SNSClient;
  /** SQS client. `close()` does not destroy it. */
  readonly sqs: SQSClient;
  /** Prepended to every topic and queue name, e.g. `prod-`. Default none. */
  readonly prefix?: string;
  /** FIFO topics and queues: per-key order and deduplication by id. Default false. */
  readonly fifo?: boolean;
  /**
   * Attempts before a message is dead-lettered (also the queue's `maxReceiveCount`), and the
   * delay before each retry unless the handler asked for one. Default 5 attempts, 100 ms base.
   */
  readonly retry?: RetryPolicy;
  /** SQS visibility timeout; extended while a handler runs. Default 30 s. */
  readonly visibilityTimeoutSeconds?: number;
  /** Long-polling wait. Default 20 s (the most SQS allows). */
  readonly waitTimeSeconds?: number;
  /** Largest SNS message (text plus attributes) sent as is. Default 262 144 (the SNS limit). */
  readonly maxMessageBytes?: number;
  /** Where bodies too large for SNS go; without it such a publish rejects. */
  readonly payloadStore?: PayloadStore;
  /** Called after a message was moved to the dead-letter queue, with the reason. */
  readonly onDeadLetter?: (record: DeadLetterRecord) => void | Promise<void>;
  /** Called with errors the consumer loop recovers from (it retries). Default `console.error`. */
  readonly onError?: (error: unknown) => void;
}

export interface ResolvedSnsSqsOptions {
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly prefix: string;
  readonly fifo: boolean;
  readonly retry: Required<RetryPolicy>;
  readonly visibilityTimeoutSeconds: number;
  readonly waitTimeSeconds: number;
  readonly maxMessageBytes: number;
  readonly payloadStore: PayloadStore | undefined;
  readonly onDeadLetter: ((record: DeadLetterRecord) => void | Promise<void>) | undefined;
  readonly onError: (error: unknown) => void;
}

export function resolveSnsSqsOptions(options: SnsSqsTransportOptions): ResolvedSnsSqsOptions {
  if (!options.sns || !options.sqs) {
    throw new ConfigurationError(
      'createSnsSqsTransport needs both an SNS and an SQS client: pass { sns, sqs }.',
    );
  }
  const visibility = options.visibilityTimeoutSeconds ?? 30;
  if (!Number.isInteger(visibility) || visibility < 1 || visibility > 43_200) {
    throw new ConfigurationError(
      `visibilityTimeoutSeconds must be a whole number from 1 to 43200, got ${visibility}.`,
    );
  }
  const retry = resolvePolicy(options.retry);
  if (retry.maxAttempts < 1 || retry.maxAttempts > 1000) {
    throw new ConfigurationError(
      `retry.maxAttempts must be 1 to 1000 (SQS maxReceiveCount), got ${retry.maxAttempts}.`,
    );
  }
  return {
    sns: options.sns,
    sqs: options.sqs,
    prefix: options.prefix ?? '',
    fifo: options.fifo ?? false,
    retry,
    visibilityTimeoutSeconds: visibility,
    waitTimeSeconds: Math.min(20, Math.max(0, options.waitTimeSeconds ?? 20)),
    maxMessageBytes: options.maxMessageBytes ?? 262_144,
    payloadStore: options.payloadStore,
    onDeadLetter: options.onDeadLetter,
    onError: options.onError ?? ((error) => console.error('[tidings/aws]', error)),
  };
}
