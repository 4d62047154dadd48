/**
 * Checks a `subscribe` request before anything is created on the broker: a clear
 * `ConfigurationError` naming the field, its value and the reason, rather than a JetStream
 * error about a consumer name later.
 */
import { ConfigurationError, type SubscribeRequest } from '@tidings/core';
import { describeValue } from '@tidings/core/spi';
import { consumerName, topicSubject } from './subjects.ts';

export interface ValidRequest {
  readonly group: string;
  readonly topics: readonly string[];
  readonly concurrency: number;
}

function fail(field: string, value: unknown, reason: string): never {
  throw new ConfigurationError(`NATS subscribe ${field} is ${describeValue(value)}: ${reason}.`);
}

export function validateSubscribeRequest(prefix: string, request: SubscribeRequest): ValidRequest {
  const { group, topics } = request;
  if (typeof group !== 'string' || group.length === 0) fail('group', group, 'pass a non-empty string');
  consumerName(group);
  if (!Array.isArray(topics) || topics.length === 0) fail('topics', topics, 'pass at least one topic');
  for (const topic of topics) {
    if (typeof topic !== 'string') fail('topic', topic, 'pass a string');
    topicSubject(prefix, topic);
  }
  if (new Set(topics).size !== topics.length) fail('topics', topics, 'list each topic once');
  const concurrency = request.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10_000) {
    fail('concurrency', request.concurrency, 'pass an integer from 1 to 10000');
  }
  const { maxDeliveries } = request;
  if (maxDeliveries !== undefined && (!Number.isInteger(maxDeliveries) || maxDeliveries < 1)) {
    fail('maxDeliveries', maxDeliveries, 'pass an integer from 1 (the retry budget + 1)');
  }
  return { group, topics, concurrency };
}
