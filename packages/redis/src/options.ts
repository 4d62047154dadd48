/**
 * Options of the Redis Streams transport, their defaults, and the checks that turn a bad
 * value into a `ConfigurationError` at construction rather than a Redis error later.
 */
import { ConfigurationError } from '@tidings/core';
import { describeValue } from '@tidings/core/spi';
import type { Redis } from 'ioredis';

export interface RedisTransportOptions {
  /** Server URL. Default `redis://127.0.0.1:6379`. Ignored when `redis` is given. */
  readonly url?: string;
  /**
   * A connection to use for commands; `close()` then leaves it open for its owner. Each
   * subscription still opens its own duplicate, because `XREADGROUP BLOCK` blocks a connection.
   */
  readonly redis?: Redis;
  /** Streams are named `<streamPrefix><topic>`. Default `tidings:`. */
  readonly streamPrefix?: string;
  /**
   * Trim each stream to about this many entries on every XADD (`MAXLEN ~`). Trimming
   * removes the oldest entries whether or not every group has read them: size it well
   * above the backlog a slow group can build. Default: no trimming.
   */
  readonly maxLen?: number;
  /** An entry pending this long with a member (dead, or stuck) is taken over by another. Default 30 000. */
  readonly claimIdleMs?: number;
  /** Deliveries before an entry is dead-lettered to `<streamPrefix>deadletter:<group>`. Default 5. */
  readonly maxDeliveries?: number;
  /** How long one `XREADGROUP` waits for entries before it is issued again. Default 2 000. */
  readonly blockMs?: number;
  /** Redelivery delay when a handler rejects without asking for one. Default 0 (at once). */
  readonly redeliveryDelayMs?: number;
  /** Background failures (a read loop error, a failed dead-letter). Default `console.error`. */
  readonly onError?: (error: unknown) => void;
}

export interface ResolvedRedisOptions {
  readonly prefix: string;
  readonly maxLen: number | undefined;
  readonly claimIdleMs: number;
  readonly maxDeliveries: number;
  readonly blockMs: number;
  readonly redeliveryDelayMs: number;
  readonly onError: (error: unknown) => void;
}

function integer(value: number | undefined, fallback: number, name: string, min: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min) {
    throw new ConfigurationError(
      `Redis transport option ${name} is ${describeValue(value)}: pass an integer of at least ${min}.`,
    );
  }
  return resolved;
}

export function resolveRedisOptions(options: RedisTransportOptions): ResolvedRedisOptions {
  return {
    prefix: options.streamPrefix ?? 'tidings:',
    maxLen: options.maxLen === undefined ? undefined : integer(options.maxLen, 0, 'maxLen', 1),
    claimIdleMs: integer(options.claimIdleMs, 30_000, 'claimIdleMs', 100),
    maxDeliveries: integer(options.maxDeliveries, 5, 'maxDeliveries', 1),
    blockMs: integer(options.blockMs, 2_000, 'blockMs', 1),
    redeliveryDelayMs: integer(options.redeliveryDelayMs, 0, 'redeliveryDelayMs', 0),
    onError: options.onError ?? ((error) => console.error('[tidings/redis]', error)),
  };
}
