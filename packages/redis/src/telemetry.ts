/**
 * The Redis Streams transport described in the OpenTelemetry messaging conventions. Redis
 * has no messaging convention page and no well-known `messaging.system` value, so the
 * custom value is `redis`; the topic's stream name `<prefix><topic>` is the destination and
 * its partition (the `:<n>` stream the key hashes to) the partition id, as on Kafka; the
 * client's server gives `server.address` / `server.port`.
 */
import { serverAttributes, type TransportTelemetry } from '@tidings/core/spi';
import { partitionOf } from './lanes.ts';

export function redisTelemetry(
  prefix: string,
  partitions: number,
  server: { readonly host?: string | undefined; readonly port?: number | undefined },
): TransportTelemetry {
  const host = server.host?.includes(':') ? `[${server.host}]` : server.host;
  const address = serverAttributes(host ? `${host}:${server.port ?? 6379}` : undefined);
  const destination = (message: { topic: string; key: string; id: string }) => ({
    ...address,
    'messaging.system': 'redis',
    'messaging.destination.name': `${prefix}${message.topic}`,
    'messaging.destination.partition.id': String(partitionOf(message.key, message.id, partitions)),
  });
  return { send: destination, receive: destination };
}
