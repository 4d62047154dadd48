import { describe, expect, it } from 'vitest';
import { kafkaDeliveryNotes, kafkaTelemetry } from './telemetry.ts';

const message = (topic: string) => ({
  id: 'e-1',
  topic,
  key: 'Order:o-1',
  headers: {},
  body: new Uint8Array(),
});

describe('Kafka telemetry', () => {
  it('names the prefixed Kafka topic and the key, and adds what the delivery noted', () => {
    const telemetry = kafkaTelemetry('shop.');
    expect(telemetry.send(message('billing/InvoiceSent'))).toEqual({
      'messaging.system': 'kafka',
      'messaging.destination.name': 'shop.billing_InvoiceSent',
      'messaging.kafka.message.key': 'Order:o-1',
    });
    const received = kafkaDeliveryNotes.note(
      { ...message('OrderPlaced'), deliveryCount: 1 },
      { 'messaging.destination.partition.id': '3', 'messaging.kafka.offset': 42 },
    );
    expect(telemetry.receive(received, 'emails')).toMatchObject({
      'messaging.destination.name': 'shop.OrderPlaced',
      'messaging.destination.partition.id': '3',
      'messaging.kafka.offset': 42,
    });
  });

  it('never throws for a topic Kafka would refuse: the publish reports it', () => {
    expect(kafkaTelemetry('').send(message('x'.repeat(300)))['messaging.destination.name']).toHaveLength(300);
  });
});
