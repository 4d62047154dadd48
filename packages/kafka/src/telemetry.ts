/**
 * The Kafka transport described in the OpenTelemetry messaging conventions: `kafka`, the
 * Kafka topic as `messaging.destination.name`, the subject key as
 * `messaging.kafka.message.key`, and on delivery the partition and offset.
 */
import { createDeliveryNotes, type TransportTelemetry } from '@tidings/core';
import { kafkaTopicName } from './topic-name.ts';

/** Topic, partition and offset of received records, noted where they are built. */
export const kafkaDeliveryNotes = createDeliveryNotes();

export function kafkaTelemetry(topicPrefix: string): TransportTelemetry {
  const topicName = (topic: string) => {
    try {
      return kafkaTopicName(topic, topicPrefix);
    } catch {
      return topic; // The publish itself reports the bad name; tracing must not throw.
    }
  };
  return {
    send: (message) => ({
      'messaging.system': 'kafka',
      'messaging.destination.name': topicName(message.topic),
      'messaging.kafka.message.key': message.key,
    }),
    receive: (message) => ({
      'messaging.system': 'kafka',
      'messaging.destination.name': topicName(message.topic),
      'messaging.kafka.message.key': message.key,
      ...kafkaDeliveryNotes.of(message),
    }),
  };
}
