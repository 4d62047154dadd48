/**
 * Options of `createSnsSqsTransport`, checked and with their defaults resolved in one
 * place. The shared names (`connection`, `prefix`, `maxDeliveries`, `onError`, `name`) mean
 * what docs/transports.md says on every transport.
 */
import { SNSClient, type SNSClientConfig } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ConfigurationError } from '@tidings/core';
import {
  type CommonTransportOptions,
  createErrorReporter,
  defaultMaxDeliveries,
  describeValue,
  redactUrl,
} from '@tidings/core/spi';
import type { PayloadStore } from './payload-store.ts';

/** SNS and SQS clients the caller configured and owns. */
export interface SnsSqsClients {
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
}

export interface SnsSqsTransportOptions extends CommonTransportOptions<SnsSqsClients> {
  /**
   * `connection`: an endpoint URL for both services (an emulator such as fauxqs or
   * LocalStack; the transport makes and destroys the clients), or `{ sns, sqs }` clients the
   * caller owns (`close()` leaves them). Default: clients for AWS itself, region and
   * credentials from the environment. `prefix`: prepended to every topic and queue name,
   * e.g. `prod-`. `maxDeliveries`: each group queue's `maxReceiveCount` (1 to 1000): past
   * it SQS moves the message to the group's `-dlq` queue.
   */
  /** Settings for the clients the transport makes (region, credentials…). Default region `AWS_REGION` or `us-east-1`. */
  readonly clientConfig?: Pick<SNSClientConfig, 'region' | 'credentials' | 'maxAttempts'>;
  /** FIFO topics and queues: per-key order and deduplication by id. Default false. */
  readonly fifo?: boolean;
  /** SQS visibility timeout; extended while a handler runs. Default 30 s. */
  readonly visibilityTimeoutSeconds?: number;
  /** Long-polling wait. Default 20 s (the most SQS allows). */
  readonly waitTimeSeconds?: number;
  /** Largest SNS message (text plus attributes) sent as is. Default 262 144 (the SNS limit). */
  readonly maxMessageBytes?: number;
  /** Where bodies too large for SNS go; without it such a publish rejects. */
  readonly payloadStore?: PayloadStore;
}

export interface ResolvedSnsSqsOptions {
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  /** True when the transport made the clients, so `close()` destroys them. */
  readonly ownsClients: boolean;
  /** The endpoint, redacted, for errors; undefined for AWS itself or the caller's clients. */
  readonly endpoint: string | undefined;
  readonly prefix: string;
  readonly fifo: boolean;
  readonly maxDeliveries: number;
  readonly visibilityTimeoutSeconds: number;
  readonly waitTimeSeconds: number;
  readonly maxMessageBytes: number;
  readonly payloadStore: PayloadStore | undefined;
  readonly name: string;
  readonly onError: (error: unknown) => void;
}

function invalid(field: string, value: unknown, reason: string): ConfigurationError {
  return new ConfigurationError(`SNS/SQS transport option ${field} is ${describeValue(value)}: ${reason}.`);
}

function wholeNumber(field: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(field, value, `it must be a whole number from ${min} to ${max}`);
  }
}

function clientsOf(
  options: SnsSqsTransportOptions,
): Pick<ResolvedSnsSqsOptions, 'sns' | 'sqs' | 'ownsClients' | 'endpoint'> {
  const { connection } = options;
  if (connection === undefined || typeof connection === 'string') {
    if (connection !== undefined && !/^https?:\/\/[^/]/.test(connection)) {
      throw invalid(
        'connection',
        redactUrl(connection),
        'pass an http(s):// endpoint URL, or { sns, sqs } clients',
      );
    }
    const config = {
      region: process.env.AWS_REGION ?? 'us-east-1',
      ...options.clientConfig,
      ...(connection === undefined ? {} : { endpoint: connection }),
    };
    return {
      sns: new SNSClient(config),
      sqs: new SQSClient(config),
      ownsClients: true,
      endpoint: connection === undefined ? undefined : redactUrl(connection),
    };
  }
  if (!(connection.sns instanceof SNSClient) || !(connection.sqs instanceof SQSClient)) {
    throw invalid(
      'connection',
      Object.keys(connection),
      'pass { sns: SNSClient, sqs: SQSClient }, or an endpoint URL',
    );
  }
  return { sns: connection.sns, sqs: connection.sqs, ownsClients: false, endpoint: undefined };
}

export function resolveSnsSqsOptions(options: SnsSqsTransportOptions): ResolvedSnsSqsOptions {
  wholeNumber('maxDeliveries', options.maxDeliveries, 1, 1000);
  wholeNumber('visibilityTimeoutSeconds', options.visibilityTimeoutSeconds, 1, 43_200);
  wholeNumber('waitTimeSeconds', options.waitTimeSeconds, 0, 20);
  wholeNumber('maxMessageBytes', options.maxMessageBytes, 1_024, 262_144);
  if (options.prefix !== undefined && typeof options.prefix !== 'string') {
    throw invalid('prefix', options.prefix, 'it must be a string (characters SNS and SQS refuse become _)');
  }
  if (options.startFrom !== undefined && options.startFrom !== 'latest') {
    // A group's queue holds only what was published after it was subscribed to its topics.
    throw invalid(
      'startFrom',
      options.startFrom,
      "SQS keeps no history (features.replaysHistory is false): omit it or pass 'latest'",
    );
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw invalid('onError', options.onError, 'it must be a function');
  }
  const fifo = options.fifo ?? false;
  const name = options.name ?? (fifo ? 'sns-sqs-fifo' : 'sns-sqs');
  return {
    ...clientsOf(options),
    prefix: options.prefix ?? '',
    fifo,
    maxDeliveries: options.maxDeliveries ?? defaultMaxDeliveries,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
    waitTimeSeconds: options.waitTimeSeconds ?? 20,
    maxMessageBytes: options.maxMessageBytes ?? 262_144,
    payloadStore: options.payloadStore,
    name,
    onError: options.onError ?? createErrorReporter(`[tidings/${name}]`),
  };
}
