/**
 * What a transport says about a send or a delivery, as span attributes. A transport with
 * a `telemetry` member describes itself in the conventions' words; one without (the
 * in-memory transport, a custom one) falls back to its name as `messaging.system` and the
 * Tidings topic as `messaging.destination.name`.
 */
import type { Attributes } from '@opentelemetry/api';
import type { HandlerDelivery, PublishBatchInfo, TransportMessage } from '@tidings/core/spi';
import { attr } from './attributes.ts';

function fallback(system: string, message: Pick<TransportMessage, 'topic'>): Attributes {
  return { [attr.system]: system, [attr.destination]: message.topic };
}

/**
 * The attributes every message of the batch shares (a batch to several topics has no one
 * destination, so it gets none); `messaging.system` always.
 */
export function sendAttributes(batch: PublishBatchInfo): Attributes {
  const describe = (message: TransportMessage): Attributes =>
    batch.telemetry ? batch.telemetry.send(message) : fallback(batch.transport, message);
  const [first, ...rest] = batch.messages.map(describe);
  const shared: Attributes = { ...first };
  for (const other of rest) {
    for (const [name, value] of Object.entries(shared)) if (other[name] !== value) delete shared[name];
  }
  shared[attr.system] ??= first?.[attr.system] ?? batch.transport;
  return shared;
}

/** The attributes of processing a delivered message, consumer group included. */
export function receiveAttributes(delivery: HandlerDelivery): Attributes {
  const described = delivery.telemetry
    ? delivery.telemetry.receive(delivery.message, delivery.group)
    : fallback(delivery.transport, delivery.message);
  return { ...described, [attr.consumerGroup]: delivery.group };
}
