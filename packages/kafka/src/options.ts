/**
 * Options of `createKafkaTransport`, with their defaults resolved in one place.
 */
import { ConfigurationError, type RetryPolicy } from '@tidings/core';
import { resolvePolicy } from '@tidings/core/spi';
import type { KafkaConfig } from 'kafkajs';
import { defaultDeadLetterTopic } from './topic-name.ts';

export interface KafkaTransportOptions {
  /** Bootstrap brokers, `host:port`. */
  readonly brokers: readonly string[];
  /** Kafka client id. Default `tidings`. */
  readonly clientId?: string;
  /** Prepended to every Kafka topic (e.g. `prod.`). Default none. */
  readonly topicPrefix?: string;
  /**
   * In-place retries of a rejected message before it is dead-lettered. The partition waits
   * meanwhile, so later messages of the same key never overtake it. Default: 5 attempts,
   * 100 ms base, 30 s cap, full jitter.
   */
  readonly retry?: RetryPolicy;
  /** The dead-letter topic of a (prefixed) Kafka topic. Default `<topic>.deadletter`. */
  readonly deadLetterTopic?: (kafkaTopic: string) => string;
  /**
   * Where a group with no committed offset starts. Default `true` (earliest): a new group
   * sees every retained message, so nothing published while it was joining is lost.
   */
  readonly fromBeginning?: boolean;
  /** Consumer session timeout (ms): how soon a dead member's partitions move. Default 10 000. */
  readonly sessionTimeoutMs?: number;
  /** Consumer heartbeat interval (ms). Default a third of the session timeout. */
  readonly heartbeatIntervalMs?: number;
  /** Extra kafkajs client settings (ssl, sasl, logLevel, socketFactory, retry…). */
  readonly kafka?: Omit<KafkaConfig, 'brokers' | 'clientId'>;
}

export interface ResolvedKafkaOptions {
  readonly brokers: string[];
  readonly clientId: string;
  readonly topicPrefix: string;
  readonly retry: Required<RetryPolicy>;
  readonly deadLetterTopic: (kafkaTopic: string) => string;
  readonly fromBeginning: boolean;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly kafka: Omit<KafkaConfig, 'brokers' | 'clientId'>;
}

export function resolveKafkaOptions(options: KafkaTransportOptions): ResolvedKafkaOptions {
  if (!Array.isArray(options.brokers) || options.brokers.length === 0) {
    throw new ConfigurationError(
      `createKafkaTransport needs at least one broker, got ${JSON.stringify(options.brokers)}. ` +
        `Pass brokers: ['host:9092'].`,
    );
  }
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 10_000;
  return {
    brokers: [...options.brokers],
    clientId: options.clientId ?? 'tidings',
    topicPrefix: options.topicPrefix ?? '',
    retry: resolvePolicy(options.retry),
    deadLetterTopic: options.deadLetterTopic ?? defaultDeadLetterTopic,
    fromBeginning: options.fromBeginning ?? true,
    sessionTimeoutMs,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? Math.max(100, Math.floor(sessionTimeoutMs / 3)),
    kafka: options.kafka ?? {},
  };
}
