/**
 * Options of the RabbitMQ transport, their defaults, and the features they imply. Features
 * follow from options alone, so they are known before connecting. The shared names
 * (`connection`, `prefix`, `maxDeliveries`, `onError`, `name`) mean what
 * docs/transports.md says on every transport.
 */
import { ConfigurationError, type TransportFeatures } from '@tidings/core';
import {
  type CommonTransportOptions,
  createErrorReporter,
  defaultMaxDeliveries,
  describeValue,
  redactUrl,
} from '@tidings/core/spi';
import type { ChannelModel } from 'amqplib';

export interface RabbitMqTransportOptions extends CommonTransportOptions<ChannelModel> {
  /**
   * `connection`: an AMQP URL (default `amqp://guest:guest@127.0.0.1:5672`) or an open
   * amqplib `ChannelModel` the caller owns (then the transport cannot reconnect by itself,
   * and `close()` leaves it open). `prefix`: the durable topic exchange, and the first part
   * of every queue name. Default `tidings`. `maxDeliveries`: the quorum queue's
   * `x-delivery-limit`; past it RabbitMQ moves the message to the group's `<queue>.dead`.
   */
  /**
   * Messages a subscription holds unacked at once; never less than its `concurrency`.
   * Default: its `concurrency`, or 256 with `singleActiveConsumer` (so one key waiting on a
   * retry cannot stall the others behind a full prefetch). Prefetched messages wait locally.
   */
  readonly prefetch?: number;
  /**
   * Type of each group's queue. `quorum` (default, RabbitMQ ≥ 3.8) is replicated and counts
   * deliveries, which the `maxDeliveries` backstop needs; `classic` is not.
   */
  readonly queueType?: 'quorum' | 'classic';
  /**
   * One consumer of a group receives at a time (`x-single-active-consumer`); the others
   * stand by. With it, messages of one key reach the handler one at a time in publish
   * order: a rejected message is retried in place, its key waiting behind it. Default
   * false. Fixed when a group's queue is first declared.
   */
  readonly singleActiveConsumer?: boolean;
  /** Opens a connection from the URL; replace it for TLS socket options or failure tests. */
  readonly connect?: (url: string) => Promise<ChannelModel>;
  /**
   * Longest wait (ms) for one connection attempt's handshake, and for a connection before
   * `publish` or `subscribe` rejects while reconnecting. Default 10 000.
   */
  readonly connectTimeoutMs?: number;
}

export interface ResolvedOptions {
  /** The URL to (re)connect to; undefined when the caller passed an open connection. */
  readonly url: string | undefined;
  /** The caller's open connection, which the transport never closes. */
  readonly model: ChannelModel | undefined;
  readonly exchange: string;
  readonly prefetch: number | undefined;
  readonly queueType: 'quorum' | 'classic';
  readonly maxDeliveries: number;
  readonly singleActiveConsumer: boolean;
  readonly connect: ((url: string) => Promise<ChannelModel>) | undefined;
  readonly connectTimeoutMs: number;
  readonly name: string;
  readonly onError: (error: unknown) => void;
}

export const defaultRabbitMqUrl = 'amqp://guest:guest@127.0.0.1:5672';

function invalid(field: string, value: unknown, reason: string): ConfigurationError {
  return new ConfigurationError(`RabbitMQ transport option ${field} is ${describeValue(value)}: ${reason}.`);
}

function positiveInteger(field: string, value: unknown, max = 2 ** 31 - 1): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw invalid(field, value, `it must be a whole number from 1 to ${max}`);
  }
}

export function resolveOptions(options: RabbitMqTransportOptions): ResolvedOptions {
  const { connection } = options;
  const isUrl = connection === undefined || typeof connection === 'string';
  if (typeof connection === 'string' && !/^amqps?:\/\//.test(connection)) {
    throw invalid(
      'connection',
      redactUrl(connection),
      'pass an amqp:// or amqps:// URL, or an open amqplib connection',
    );
  }
  if (!isUrl && typeof (connection as Partial<ChannelModel>).createChannel !== 'function') {
    throw invalid('connection', connection, 'pass an amqp:// URL or an open amqplib ChannelModel');
  }
  if (options.prefix !== undefined && (typeof options.prefix !== 'string' || options.prefix === '')) {
    throw invalid('prefix', options.prefix, 'it names the exchange, so it must be a non-empty string');
  }
  positiveInteger('maxDeliveries', options.maxDeliveries);
  positiveInteger('prefetch', options.prefetch, 65_535);
  positiveInteger('connectTimeoutMs', options.connectTimeoutMs);
  if (options.queueType !== undefined && options.queueType !== 'quorum' && options.queueType !== 'classic') {
    throw invalid('queueType', options.queueType, "it must be 'quorum' or 'classic'");
  }
  if (options.startFrom !== undefined && options.startFrom !== 'latest') {
    // A group's queue holds only what was published after it was declared.
    throw invalid(
      'startFrom',
      options.startFrom,
      "RabbitMQ keeps no history (features.replaysHistory is false): omit it or pass 'latest'",
    );
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw invalid('onError', options.onError, 'it must be a function');
  }
  const name = options.name ?? 'rabbitmq';
  return {
    url: isUrl ? (connection ?? defaultRabbitMqUrl) : undefined,
    model: isUrl ? undefined : (connection as ChannelModel),
    exchange: options.prefix ?? 'tidings',
    prefetch: options.prefetch,
    queueType: options.queueType ?? 'quorum',
    maxDeliveries: options.maxDeliveries ?? defaultMaxDeliveries,
    singleActiveConsumer: options.singleActiveConsumer ?? false,
    connect: options.connect,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    name,
    onError: options.onError ?? createErrorReporter(`[tidings/${name}]`),
  };
}

/** What a transport with these options guarantees. */
export function rabbitMqFeatures(
  options: Pick<RabbitMqTransportOptions, 'queueType' | 'singleActiveConsumer'>,
): TransportFeatures {
  return Object.freeze({
    orderingByKey: options.singleActiveConsumer === true,
    // Quorum queues count deliveries and move a message past maxDeliveries to `<queue>.dead`.
    nativeDeadLetter: (options.queueType ?? 'quorum') === 'quorum',
    nativeDedup: false,
    delayedRedelivery: true,
    redeliversUnacked: true,
    replaysHistory: false,
  });
}
