/**
 * Checks a subscribe request before anything is declared on the broker (shared by the
 * RabbitMQ, Kafka and SNS/SQS transports): a bad group, topic
 * list or concurrency fails with a ConfigurationError naming the field, value and reason.
 */
import { ConfigurationError } from '../errors/errors.ts';
import { describeValue } from '../errors/tidings-error.ts';
import type { SubscribeRequest } from './transport.ts';

/** Returns the request's concurrency (default 1) once the request is valid. */
export function checkSubscribeRequest(request: SubscribeRequest): number {
  const fail = (field: string, value: unknown, reason: string) =>
    new ConfigurationError(`Subscribe request ${field} is ${describeValue(value)}: ${reason}.`);
  if (typeof request.group !== 'string' || request.group.trim() === '') {
    throw fail('group', request.group, 'pass a non-empty consumer group name');
  }
  if (!Array.isArray(request.topics) || request.topics.length === 0) {
    throw fail('topics', request.topics, `group "${request.group}" must subscribe to at least one topic`);
  }
  for (const topic of request.topics) {
    if (typeof topic !== 'string' || topic === '') {
      throw fail('topics', request.topics, 'every topic must be a non-empty string');
    }
  }
  const concurrency = request.concurrency ?? 1;
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1) {
    throw fail('concurrency', concurrency, 'it must be a whole number ≥ 1');
  }
  const { maxDeliveries } = request;
  if (maxDeliveries !== undefined && (!Number.isInteger(maxDeliveries) || maxDeliveries < 1)) {
    throw fail('maxDeliveries', maxDeliveries, 'it must be a whole number ≥ 1 (the retry budget + 1)');
  }
  return concurrency;
}
