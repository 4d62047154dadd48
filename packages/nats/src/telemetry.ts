/**
 * The NATS JetStream transport described in the OpenTelemetry messaging conventions. NATS
 * has no convention page and no well-known `messaging.system` value, so the custom value is
 * `nats`; the subject is the destination, the stream sequence `messaging.nats.stream_sequence`.
 */
import { createDeliveryNotes, type TransportTelemetry } from '@tidings/core';

/** Stream sequences of received messages, noted where they are built. */
export const natsDeliveryNotes = createDeliveryNotes();

export function natsTelemetry(prefix: string): TransportTelemetry {
  const destination = (topic: string) => ({
    'messaging.system': 'nats',
    'messaging.destination.name': `${prefix}.${topic}`,
  });
  return {
    send: (message) => destination(message.topic),
    receive: (message) => ({ ...destination(message.topic), ...natsDeliveryNotes.of(message) }),
  };
}
