/**
 * The SNS/SQS transport described in the OpenTelemetry messaging conventions. A send is an
 * SNS publish: `aws_sns` (no well-known value exists; the custom value follows `aws_sqs`)
 * with the SNS topic name as destination. A delivery comes from the group's SQS queue:
 * `aws_sqs`, the queue name as `messaging.destination.name` and its `aws.sqs.queue.url`.
 */
import { createDeliveryNotes, type TransportTelemetry } from '@tidings/core/spi';
import { snsTopicName, sqsQueueName } from './names.ts';

/** Queue URLs of received messages, noted where they are decoded. */
export const sqsDeliveryNotes = createDeliveryNotes();

export function snsSqsTelemetry(names: { prefix: string; fifo: boolean }): TransportTelemetry {
  return {
    send: (message) => ({
      'messaging.system': 'aws_sns',
      'messaging.destination.name': snsTopicName(message.topic, names),
    }),
    receive: (message, group) => ({
      'messaging.system': 'aws_sqs',
      'messaging.destination.name': sqsQueueName(group, names),
      ...sqsDeliveryNotes.of(message),
    }),
  };
}
