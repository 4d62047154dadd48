/**
 * Opens (or adopts) the command connection and proves it works with a PING, so a wrong URL,
 * a wrong password or a server that is down fails at creation with a clear error in which
 * the URL is printed without its password.
 */
import { ConfigurationError, TransportError } from '@tidings/core';
import { describeValue, errorMessage, redactUrl } from '@tidings/core/spi';
import { Redis } from 'ioredis';
import { redacted } from './rate-limited.ts';

export const defaultRedisUrl = 'redis://127.0.0.1:6379';

export interface Connected {
  readonly redis: Redis;
  /** Whether the transport opened it (and so closes it). */
  readonly owned: boolean;
}

function isClient(value: unknown): value is Redis {
  return typeof value === 'object' && value !== null && typeof (value as Redis).duplicate === 'function';
}

export async function connect(connection: unknown, connectionName: string): Promise<Connected> {
  if (isClient(connection)) {
    try {
      await connection.ping();
    } catch (error) {
      throw new TransportError(
        `The Redis client given as connection does not answer PING: ${errorMessage(error)}.`,
        {
          cause: error,
        },
      );
    }
    return { redis: connection, owned: false };
  }
  if (connection !== undefined && typeof connection !== 'string') {
    throw new ConfigurationError(
      `Redis transport option connection is ${describeValue(connection)}: pass a redis:// URL or an ioredis client.`,
    );
  }
  const url = connection ?? defaultRedisUrl;
  if (!/^rediss?:\/\//.test(url)) {
    throw new ConfigurationError(
      `Redis transport option connection is ${JSON.stringify(redactUrl(url))}: pass a redis:// or rediss:// URL.`,
    );
  }
  const redis = new Redis(url, { connectionName, lazyConnect: true, maxRetriesPerRequest: 3 });
  // Errors surface through commands and onError; without a listener ioredis prints them all.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new TransportError(
      `Cannot connect to Redis at ${redactUrl(url)}: ${redacted(errorMessage(error))}.`,
      { cause: error },
    );
  }
  return { redis, owned: true };
}
