/**
 * Options of the Redis Streams transport: the shared vocabulary (`connection`, `prefix`,
 * `maxDeliveries`, `onError`, `name`, `startFrom`) plus Redis's own (`partitions`,
 * `leaseMs`, `blockMs`, `maxLen`), their defaults, and the checks that turn a bad value
 * into a `ConfigurationError` naming the field at creation rather than a Redis error later.
 */
import { ConfigurationError } from '@tidings/core';
import {
  type CommonTransportOptions,
  defaultMaxDeliveries,
  describeValue,
  type StartPosition,
} from '@tidings/core/spi';
import type { Redis } from 'ioredis';
import { rateLimited } from './rate-limited.ts';

export interface RedisTransportOptions extends CommonTransportOptions<Redis> {
  /**
   * Streams per topic: a message goes to stream `<prefix><topic>:<n>`, n = hash(key) mod
   * `partitions`, and one member of a group at a time reads each. It bounds how many members
   * of a group share a topic's work. MUST be the same in every process using the topic (the
   * first user records it in `<prefix><topic>~partitions`; a different value is refused).
   * Default 8.
   */
  readonly partitions?: number;
  /**
   * How long a member's hold on a partition lasts without renewal (renewed every third of
   * it). A member that dies loses its partitions to the others after at most this. Default 10 000.
   */
  readonly leaseMs?: number;
  /** How long one `XREADGROUP` waits for entries before it is issued again. Default 2 000. */
  readonly blockMs?: number;
  /**
   * Trim each stream to about this many entries on every XADD (`MAXLEN ~`). Trimming
   * removes the oldest entries whether or not every group has read them: size it well
   * above the backlog a slow group can build. Default: no trimming.
   */
  readonly maxLen?: number;
}

export interface ResolvedRedisOptions {
  readonly prefix: string;
  readonly name: string;
  readonly partitions: number;
  readonly leaseMs: number;
  readonly blockMs: number;
  readonly maxLen: number | undefined;
  readonly maxDeliveries: number;
  readonly startFrom: StartPosition;
  readonly onError: (error: unknown) => void;
}

function integer(value: unknown, fallback: number, name: string, min: number, max = 2 ** 31): number {
  const resolved = value ?? fallback;
  if (typeof resolved !== 'number' || !Number.isInteger(resolved) || resolved < min || resolved > max) {
    throw new ConfigurationError(
      `Redis transport option ${name} is ${describeValue(value)}: pass an integer from ${min} to ${max}.`,
    );
  }
  return resolved;
}

export function resolveRedisOptions(options: RedisTransportOptions): ResolvedRedisOptions {
  const prefix = options.prefix ?? 'tidings:';
  if (typeof prefix !== 'string') {
    throw new ConfigurationError(`Redis transport option prefix is ${describeValue(prefix)}: pass a string.`);
  }
  const startFrom = options.startFrom ?? 'earliest';
  if (startFrom !== 'earliest' && startFrom !== 'latest') {
    throw new ConfigurationError(
      `Redis transport option startFrom is ${describeValue(startFrom)}: pass 'earliest' or 'latest'.`,
    );
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new ConfigurationError(
      `Redis transport option onError is ${describeValue(options.onError)}: pass a function.`,
    );
  }
  const leaseMs = integer(options.leaseMs, 10_000, 'leaseMs', 300);
  const blockMs = integer(options.blockMs, 2_000, 'blockMs', 1);
  if (blockMs * 3 > leaseMs) {
    // A member must learn that it lost a partition before a blocked read could hand it more.
    throw new ConfigurationError(
      `Redis transport option blockMs is ${blockMs}: keep it at most a third of leaseMs (${leaseMs}).`,
    );
  }
  return {
    prefix,
    name: options.name ?? 'redis',
    partitions: integer(options.partitions, 8, 'partitions', 1, 1024),
    leaseMs,
    blockMs,
    maxLen: options.maxLen === undefined ? undefined : integer(options.maxLen, 0, 'maxLen', 1),
    maxDeliveries: integer(options.maxDeliveries, defaultMaxDeliveries, 'maxDeliveries', 1),
    startFrom,
    onError: options.onError ?? rateLimited((error) => console.error('[tidings/redis]', error)),
  };
}
