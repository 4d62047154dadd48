/**
 * The RabbitMQ transport described in the OpenTelemetry messaging conventions:
 * `messaging.system` `rabbitmq`, the exchange as `messaging.destination.name`, the routing
 * key as `messaging.rabbitmq.destination.routing_key`, the broker as `server.address` /
 * `server.port`, and on delivery the delivery tag.
 */
import { createDeliveryNotes, serverAttributes, type TransportTelemetry } from '@tidings/core/spi';
import { routingKeyOf } from './names.ts';

/** Delivery tags of received messages, noted where the subscription builds them. */
export const rabbitMqDeliveryNotes = createDeliveryNotes();

export function rabbitMqTelemetry(exchange: string, url: string | undefined): TransportTelemetry {
  const server = serverAttributes(url, url?.startsWith('amqps:') ? 5671 : 5672);
  const destination = (topic: string) => ({
    ...server,
    'messaging.system': 'rabbitmq',
    'messaging.destination.name': exchange,
    'messaging.rabbitmq.destination.routing_key': routingKeyOf(topic),
  });
  return {
    send: (message) => destination(message.topic),
    receive: (message) => ({ ...destination(message.topic), ...rabbitMqDeliveryNotes.of(message) }),
  };
}
