/**
 * Options of the NATS JetStream transport: the vocabulary every transport shares
 * (`CommonTransportOptions`), JetStream's own settings beside it, their defaults, and the
 * checks that turn a bad value into a `ConfigurationError` at creation rather than a broker
 * error later.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { ConfigurationError } from '@tidings/core';
import {
  type CommonTransportOptions,
  defaultMaxDeliveries,
  describeValue,
  limits,
  type StartPosition,
} from '@tidings/core/spi';
import { rateLimitedConsoleError } from './on-error.ts';
import { assertSubjectPart } from './subjects.ts';

/**
 * The shared options mean on NATS: `connection` is server URL(s), comma-separated
 * (`nats://a:4222,nats://b:4222`), or an open `NatsConnection` the caller owns (default
 * `nats://127.0.0.1:4222`); `prefix` starts every subject, `<prefix>.<topic>…`, and the
 * stream covers `<prefix>.>` (default `tidings`); `maxDeliveries` is each consumer's
 * JetStream `max_deliver`, the backstop (default 20).
 */
export interface NatsTransportOptions extends CommonTransportOptions<NatsConnection> {
  /** JetStream stream holding every topic. Created or extended idempotently. Default `TIDINGS`. */
  readonly stream?: string;
  /**
   * Ordered lanes per topic: a message goes to lane `fnv1a32(key) % partitions`, each lane
   * is owned by one member of a group at a time. Publishers and consumers MUST agree; a change
   * reorders keys in flight while both counts coexist. Default 8.
   */
  readonly partitions?: number;
  /** How long a dead member keeps its lanes before others take them over. Default 10 000. */
  readonly leaseTtlMs?: number;
  /** How long an unacked delivery stays with a member before JetStream redelivers it. Default 30 000. */
  readonly ackWaitMs?: number;
  /** JetStream drops a second publish of one message id within this window. Default 120 000. */
  readonly duplicateWindowMs?: number;
  /** Publishes awaiting their PubAck at once. Default 256. */
  readonly maxPublishesInFlight?: number;
  /**
   * Largest body a consumer reassembles from chunks, in bytes; a message claiming more is
   * refused (terminated, reported to `onError`). Default the codec's limit (`limits.maxMessageBytes`, 4 MiB).
   */
  readonly maxMessageBytes?: number;
}

export interface ResolvedNatsOptions {
  readonly servers: readonly string[];
  readonly name: string;
  readonly stream: string;
  readonly prefix: string;
  readonly maxDeliveries: number;
  readonly startFrom: StartPosition;
  readonly partitions: number;
  readonly leaseTtlMs: number;
  readonly ackWaitMs: number;
  readonly duplicateWindowMs: number;
  readonly maxPublishesInFlight: number;
  readonly maxMessageBytes: number;
  readonly onError: (error: unknown) => void;
}

function fail(field: string, value: unknown, reason: string): never {
  throw new ConfigurationError(`NATS transport option ${field} is ${describeValue(value)}: ${reason}.`);
}

function integer(
  value: number | undefined,
  fallback: number,
  field: string,
  min: number,
  max = 2 ** 31,
): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min || resolved > max) {
    fail(field, value, `pass an integer from ${min} to ${max}`);
  }
  return resolved;
}

function serversOf(connection: NatsTransportOptions['connection']): readonly string[] {
  if (connection === undefined) return ['nats://127.0.0.1:4222'];
  if (typeof connection === 'object' && connection !== null) return [];
  if (typeof connection !== 'string')
    fail('connection', connection, 'pass server URL(s) or an open NatsConnection');
  const servers = connection
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url.length > 0);
  if (servers.length === 0) fail('connection', connection, 'pass a server URL such as nats://127.0.0.1:4222');
  return servers;
}

export function resolveNatsOptions(options: NatsTransportOptions): ResolvedNatsOptions {
  const stream = options.stream ?? 'TIDINGS';
  if (!/^[A-Za-z0-9_-]+$/.test(stream)) fail('stream', stream, 'use letters, digits, "_" and "-" only');
  const prefix = options.prefix ?? 'tidings';
  assertSubjectPart(prefix, 'prefix');
  const startFrom = options.startFrom ?? 'earliest';
  if (startFrom !== 'earliest' && startFrom !== 'latest') {
    fail('startFrom', startFrom, 'pass "earliest" or "latest"');
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    fail('onError', options.onError, 'pass a function');
  }
  const name = options.name ?? 'nats';
  if (typeof name !== 'string' || name.length === 0) fail('name', name, 'pass a non-empty string');
  const ackWaitMs = integer(options.ackWaitMs, 30_000, 'ackWaitMs', 1000);
  return {
    servers: serversOf(options.connection),
    name,
    stream,
    prefix,
    maxDeliveries: integer(options.maxDeliveries, defaultMaxDeliveries, 'maxDeliveries', 1),
    startFrom,
    partitions: integer(options.partitions, 8, 'partitions', 1, 1024),
    leaseTtlMs: integer(options.leaseTtlMs, 10_000, 'leaseTtlMs', 1000),
    ackWaitMs,
    duplicateWindowMs: integer(options.duplicateWindowMs, 120_000, 'duplicateWindowMs', 1000),
    maxPublishesInFlight: integer(options.maxPublishesInFlight, 256, 'maxPublishesInFlight', 1),
    maxMessageBytes: integer(options.maxMessageBytes, limits.maxMessageBytes, 'maxMessageBytes', 1),
    onError: options.onError ?? rateLimitedConsoleError('[tidings/nats]'),
  };
}
