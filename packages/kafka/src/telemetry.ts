/**
 * The Kafka transport described in the OpenTelemetry messaging conventions: `kafka`, the
 * Kafka topic as `messaging.destination.name`, the subject key as
 * `messaging.kafka.message.key`, the client id and first bootstrap broker, and on
 * delivery the partition and offset.
 */
import { createDeliveryNotes, serverAttributes, type TransportTelemetry } from '@tidings/core/spi';
import { kafkaTopicName } from './topic-name.ts';

/** Topic, partition and offset of received records, noted where they are built. */
export const kafkaDeliveryNotes = createDeliveryNotes();

export function kafkaTelemetry(
  topicPrefix: string,
  client: { readonly brokers?: readonly string[] | undefined; readonly clientId?: string } = {},
): TransportTelemetry {
  // The first bootstrap broker: which broker leads a partition is the client's business.
  const server = {
    ...serverAttributes(client.brokers?.[0], 9092),
    ...(client.clientId ? { 'messaging.client.id': client.clientId } : {}),
  };
  const topicName = (topic: string) => {
    try {
      return kafkaTopicName(topic, topicPrefix);
    } catch {
      return topic; // The publish itself reports the bad name; tracing must not throw.
    }
  };
  return {
    send: (message) => ({
      ...server,
      'messaging.system': 'kafka',
      'messaging.destination.name': topicName(message.topic),
      'messaging.kafka.message.key': message.key,
    }),
    receive: (message) => ({
      ...server,
      'messaging.system': 'kafka',
      'messaging.destination.name': topicName(message.topic),
      'messaging.kafka.message.key': message.key,
      ...kafkaDeliveryNotes.of(message),
    }),
  };
}
