/**
 * Span and metric attribute names: the OpenTelemetry messaging semantic conventions where
 * they fit, `tidings.*` for what is ours. Spelled out here rather than importing the
 * incubating semantic-conventions entry point, which is not a stable API.
 */
import type { Attributes } from '@opentelemetry/api';
import type { AnyDomainEvent } from '@tidings/core';

export const attr = {
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destination: 'messaging.destination.name',
  messageId: 'messaging.message.id',
  consumerGroup: 'messaging.consumer.group.name',
  batchCount: 'messaging.batch.message_count',
  rabbitRoutingKey: 'messaging.rabbitmq.destination.routing_key',
  rabbitDeliveryTag: 'messaging.rabbitmq.message.delivery_tag',
  kafkaKey: 'messaging.kafka.message.key',
  kafkaOffset: 'messaging.kafka.offset',
  partition: 'messaging.destination.partition.id',
  sqsQueueUrl: 'aws.sqs.queue.url',
  eventType: 'tidings.event.type',
  eventVersion: 'tidings.event.version',
  correlationId: 'tidings.correlation_id',
  causationId: 'tidings.causation_id',
  attempt: 'tidings.attempt',
  route: 'tidings.route',
  handler: 'tidings.handler',
  consumer: 'tidings.consumer',
  errorType: 'error.type',
} as const;

/** What one event contributes to a span. */
export function eventAttributes(event: AnyDomainEvent): Attributes {
  const attributes: Attributes = {
    [attr.messageId]: event.id,
    [attr.eventType]: event.type,
    [attr.eventVersion]: event.version,
    [attr.correlationId]: event.correlationId,
  };
  if (event.causationId !== undefined) attributes[attr.causationId] = event.causationId;
  return attributes;
}

/** The `error.type` of a failure: its stable Tidings code, else its class name. */
export function errorType(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (error instanceof Error) return error.name;
  }
  return '_OTHER';
}
