/**
 * The NATS JetStream transport described in the OpenTelemetry messaging conventions. NATS
 * has no convention page and no well-known `messaging.system` value, so the custom value is
 * `nats`; the subject is the destination, the stream sequence `messaging.nats.stream_sequence`.
 */
import { createDeliveryNotes, serverAttributes, type TransportTelemetry } from '@tidings/core/spi';

/** Stream sequences of received messages, noted where they are built. */
export const natsDeliveryNotes = createDeliveryNotes();

/** `server` names the server the connection is on now (it may move on reconnect). */
export function natsTelemetry(prefix: string, server: () => string): TransportTelemetry {
  // Parsed once per server, not once per message: this runs on every send and receive.
  let lastServer: string | undefined;
  let lastAttributes = serverAttributes(undefined);
  const serverNow = () => {
    const current = server();
    if (current !== lastServer) {
      lastServer = current;
      lastAttributes = serverAttributes(current, 4222);
    }
    return lastAttributes;
  };
  const destination = (topic: string) => ({
    ...serverNow(),
    'messaging.system': 'nats',
    'messaging.destination.name': `${prefix}.${topic}`,
  });
  return {
    send: (message) => destination(message.topic),
    receive: (message) => ({ ...destination(message.topic), ...natsDeliveryNotes.of(message) }),
  };
}
