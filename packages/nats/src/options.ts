/**
 * Options of the NATS JetStream transport, their defaults, and the checks that turn a bad
 * value into a `ConfigurationError` at construction rather than a broker error later.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { ConfigurationError } from '@tidings/core';
import { describeValue, limits } from '@tidings/core/spi';
import { assertSubjectPart } from './subjects.ts';

export interface NatsTransportOptions {
  /** Server URL(s). Default `nats://127.0.0.1:4222`. Ignored when `connection` is given. */
  readonly servers?: string | readonly string[];
  /** An open connection to use instead; `close()` then leaves it open for its owner. */
  readonly connection?: NatsConnection;
  /** JetStream stream holding every topic. Created or extended idempotently. Default `TIDINGS`. */
  readonly stream?: string;
  /** Subjects are `<subjectPrefix>.<topic>`; the stream covers `<subjectPrefix>.>`. Default `tidings`. */
  readonly subjectPrefix?: string;
  /** Deliveries before a message is dead-lettered to `<prefix>.deadletter.<group>`. Default 5. */
  readonly maxDeliver?: number;
  /** How long an unacked delivery stays with a member before JetStream redelivers it. Default 30 000. */
  readonly ackWaitMs?: number;
  /** Redelivery delay when a handler rejects without asking for one. Default 0 (at once). */
  readonly redeliveryDelayMs?: number;
  /** JetStream drops a second publish of one message id within this window. Default 120 000. */
  readonly duplicateWindowMs?: number;
  /** Publishes awaiting their PubAck at once. Default 256. */
  readonly maxPublishesInFlight?: number;
  /**
   * Largest body a consumer reassembles from chunks, in bytes; a message claiming more is
   * dead-lettered. Default the codec's limit (`limits.maxMessageBytes`, 4 MiB).
   */
  readonly maxMessageBytes?: number;
  /** Background failures (a consumer loop that broke, a dead-letter that failed). Default `console.error`. */
  readonly onError?: (error: unknown) => void;
}

export interface ResolvedNatsOptions {
  readonly stream: string;
  readonly prefix: string;
  readonly maxDeliver: number;
  readonly ackWaitMs: number;
  readonly redeliveryDelayMs: number;
  readonly duplicateWindowMs: number;
  readonly maxPublishesInFlight: number;
  readonly maxMessageBytes: number;
  readonly onError: (error: unknown) => void;
}

function positiveInteger(value: number | undefined, fallback: number, name: string, min = 1): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min) {
    throw new ConfigurationError(
      `NATS transport option ${name} is ${describeValue(value)}: pass an integer of at least ${min}.`,
    );
  }
  return resolved;
}

export function resolveNatsOptions(options: NatsTransportOptions): ResolvedNatsOptions {
  const stream = options.stream ?? 'TIDINGS';
  if (!/^[A-Za-z0-9_-]+$/.test(stream)) {
    throw new ConfigurationError(
      `NATS stream name ${describeValue(stream)} is invalid: use letters, digits, "_" and "-" only.`,
    );
  }
  const prefix = options.subjectPrefix ?? 'tidings';
  assertSubjectPart(prefix, 'subjectPrefix');
  return {
    stream,
    prefix,
    maxDeliver: positiveInteger(options.maxDeliver, 5, 'maxDeliver'),
    ackWaitMs: positiveInteger(options.ackWaitMs, 30_000, 'ackWaitMs', 1000),
    redeliveryDelayMs: positiveInteger(options.redeliveryDelayMs, 0, 'redeliveryDelayMs', 0),
    duplicateWindowMs: positiveInteger(options.duplicateWindowMs, 120_000, 'duplicateWindowMs', 1000),
    maxPublishesInFlight: positiveInteger(options.maxPublishesInFlight, 256, 'maxPublishesInFlight'),
    maxMessageBytes: positiveInteger(options.maxMessageBytes, limits.maxMessageBytes, 'maxMessageBytes'),
    onError: options.onError ?? ((error) => console.error('[tidings/nats]', error)),
  };
}
