/**
 * The Redis Streams transport described in the OpenTelemetry messaging conventions. Redis
 * has no messaging convention page and no well-known `messaging.system` value, so the
 * custom value is `redis`; the stream key is the destination.
 */
import type { TransportTelemetry } from '@tidings/core';
import { streamName } from './entry.ts';

export function redisTelemetry(prefix: string): TransportTelemetry {
  const destination = (topic: string) => ({
    'messaging.system': 'redis',
    'messaging.destination.name': streamName(prefix, topic),
  });
  return {
    send: (message) => destination(message.topic),
    receive: (message) => destination(message.topic),
  };
}
