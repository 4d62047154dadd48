/**
 * Checks a `subscribe` request before anything is created on the server, so a bad group,
 * topic list or concurrency fails with a `ConfigurationError` naming the field.
 */
import { ConfigurationError, type SubscribeRequest } from '@tidings/core';
import { describeValue } from '@tidings/core/spi';
import { checkTopic } from './lanes.ts';

export interface CheckedRequest {
  readonly group: string;
  readonly topics: readonly string[];
  readonly concurrency: number;
  /** The subscriber's delivery limit (its retry budget + 1), if it set one. */
  readonly maxDeliveries: number | undefined;
}

export function checkSubscribeRequest(request: SubscribeRequest): CheckedRequest {
  const { group, topics } = request;
  if (typeof group !== 'string' || group.length === 0 || group.includes('~')) {
    throw new ConfigurationError(
      `Redis subscribe request group is ${describeValue(group)}: pass a non-empty string without "~".`,
    );
  }
  if (!Array.isArray(topics) || topics.length === 0) {
    throw new ConfigurationError(
      `Redis subscribe request topics is ${describeValue(topics)}: pass at least one topic.`,
    );
  }
  const concurrency = request.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10_000) {
    throw new ConfigurationError(
      `Redis subscribe request concurrency is ${describeValue(request.concurrency)}: pass an integer from 1 to 10000.`,
    );
  }
  const { maxDeliveries } = request;
  if (maxDeliveries !== undefined && (!Number.isInteger(maxDeliveries) || maxDeliveries < 1)) {
    throw new ConfigurationError(
      `Redis subscribe request maxDeliveries is ${describeValue(maxDeliveries)}: pass an integer from 1 (the retry budget + 1).`,
    );
  }
  return {
    group,
    topics: [...new Set(topics.map((topic) => checkTopic(topic, 'subscribe request topic')))],
    concurrency,
    maxDeliveries,
  };
}
