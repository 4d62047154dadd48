/**
 * The Redis Streams transport described in the OpenTelemetry messaging conventions. Redis
 * has no messaging convention page and no well-known `messaging.system` value, so the
 * custom value is `redis`; the stream key is the destination, the client's server
 * `server.address` / `server.port`.
 */
import { serverAttributes, type TransportTelemetry } from '@tidings/core/spi';
import { streamName } from './entry.ts';

export function redisTelemetry(
  prefix: string,
  server: { readonly host?: string | undefined; readonly port?: number | undefined },
): TransportTelemetry {
  const host = server.host?.includes(':') ? `[${server.host}]` : server.host;
  const address = serverAttributes(host ? `${host}:${server.port ?? 6379}` : undefined);
  const destination = (topic: string) => ({
    ...address,
    'messaging.system': 'redis',
    'messaging.destination.name': streamName(prefix, topic),
  });
  return {
    send: (message) => destination(message.topic),
    receive: (message) => destination(message.topic),
  };
}
