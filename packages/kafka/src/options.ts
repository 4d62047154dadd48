/**
 * Options of `createKafkaTransport`, checked and with their defaults resolved in one place.
 * The shared names (`connection`, `prefix`, `maxDeliveries`, `onError`, `name`,
 * `startFrom`) mean what docs/transports.md says on every transport.
 */
import { ConfigurationError } from '@tidings/core';
import {
  type CommonTransportOptions,
  createErrorReporter,
  defaultMaxDeliveries,
  describeValue,
  type StartPosition,
} from '@tidings/core/spi';
import { Kafka, type KafkaConfig } from 'kafkajs';

export interface KafkaTransportOptions extends CommonTransportOptions<Kafka> {
  /**
   * `connection`: bootstrap brokers as `"host:port,host:port"` (default `127.0.0.1:9092`),
   * or a kafkajs `Kafka` the caller configured (then `clientId` and `kafka` are not used).
   * `prefix`: prepended to every Kafka topic (e.g. `prod.`), default none.
   * `maxDeliveries`: Kafka has no delivery limit, so it is the in-place backstop: past it
   * the transport reports the stuck message to `onError`, once, and keeps retrying it (the
   * partition waits; nothing is skipped). `startFrom`: where a group with no committed
   * offset starts, default `'earliest'`.
   */
  /** Kafka client id. Default `tidings`. */
  readonly clientId?: string;
  /** Consumer session timeout (ms): how soon a dead member's partitions move. Default 10 000. */
  readonly sessionTimeoutMs?: number;
  /** Consumer heartbeat interval (ms). Default a third of the session timeout. */
  readonly heartbeatIntervalMs?: number;
  /** Extra kafkajs client settings (ssl, sasl, logLevel, socketFactory, retry…) for a URL `connection`. */
  readonly kafka?: Omit<KafkaConfig, 'brokers' | 'clientId'>;
}

export interface ResolvedKafkaOptions {
  /** The bootstrap brokers, when known (not for a caller's `Kafka`). */
  readonly brokers: readonly string[] | undefined;
  readonly kafka: Kafka;
  readonly clientId: string;
  readonly topicPrefix: string;
  readonly maxDeliveries: number;
  readonly fromBeginning: boolean;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly name: string;
  readonly onError: (error: unknown) => void;
}

export const defaultKafkaConnection = '127.0.0.1:9092';

function invalid(field: string, value: unknown, reason: string): ConfigurationError {
  return new ConfigurationError(`Kafka transport option ${field} is ${describeValue(value)}: ${reason}.`);
}

function positiveInteger(field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalid(field, value, 'it must be a whole number ≥ 1');
  }
}

const brokerPattern = /^(\[[0-9A-Fa-f:.]+\]|[^\s:/@]+):\d{1,5}$/;

/** `"host:port,host:port"` as a broker list; a bad entry fails naming it (what precedes an `@` left out). */
function brokersOf(connection: string): string[] {
  const brokers = connection.split(',').map((b) => b.trim());
  const bad = brokers.find((b) => !brokerPattern.test(b));
  if (bad !== undefined) {
    throw invalid(
      'connection',
      bad.replace(/^.*@/, ''),
      'each bootstrap broker must be host:port, as in "kafka-1:9092,kafka-2:9092"; or pass a kafkajs Kafka',
    );
  }
  return brokers;
}

function startPosition(value: StartPosition | undefined): boolean {
  if (value === undefined || value === 'earliest') return true;
  if (value === 'latest') return false;
  throw invalid('startFrom', value, "it must be 'earliest' or 'latest'");
}

export function resolveKafkaOptions(options: KafkaTransportOptions): ResolvedKafkaOptions {
  const { connection = defaultKafkaConnection } = options;
  positiveInteger('maxDeliveries', options.maxDeliveries);
  positiveInteger('sessionTimeoutMs', options.sessionTimeoutMs);
  positiveInteger('heartbeatIntervalMs', options.heartbeatIntervalMs);
  if (options.prefix !== undefined && typeof options.prefix !== 'string') {
    throw invalid('prefix', options.prefix, 'it must be a string');
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw invalid('onError', options.onError, 'it must be a function');
  }
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 10_000;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? Math.max(100, Math.floor(sessionTimeoutMs / 3));
  if (heartbeatIntervalMs >= sessionTimeoutMs) {
    throw invalid(
      'heartbeatIntervalMs',
      heartbeatIntervalMs,
      `it must be below sessionTimeoutMs (${sessionTimeoutMs})`,
    );
  }
  const clientId = options.clientId ?? 'tidings';
  let brokers: string[] | undefined;
  let kafka: Kafka;
  if (typeof connection === 'string') {
    brokers = brokersOf(connection);
    kafka = new Kafka({ ...options.kafka, brokers, clientId });
  } else if (connection instanceof Kafka || typeof (connection as Partial<Kafka>).consumer === 'function') {
    kafka = connection;
  } else {
    throw invalid('connection', connection, 'pass "host:port,host:port" or a kafkajs Kafka');
  }
  const name = options.name ?? 'kafka';
  return {
    brokers,
    kafka,
    clientId,
    topicPrefix: options.prefix ?? '',
    maxDeliveries: options.maxDeliveries ?? defaultMaxDeliveries,
    fromBeginning: startPosition(options.startFrom),
    sessionTimeoutMs,
    heartbeatIntervalMs,
    name,
    onError: options.onError ?? createErrorReporter(`[tidings/${name}]`),
  };
}
