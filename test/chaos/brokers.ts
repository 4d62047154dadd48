/**
 * The brokers a chaos run can go through, and how a worker opens the transport to one.
 * The URLs come from the environment the runner sets to its private servers
 * (servers/private-servers.ts). Retry and redelivery timings are short so a SIGKILLed
 * member's messages come back within seconds. The transport object declares its features;
 * the runner reads `orderingByKey` from it (the consumer worker reports it).
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createSnsSqsTransport } from '@tidings/aws';
import type { Transport } from '@tidings/core';
import { createKafkaTransport } from '@tidings/kafka';
import { createNatsTransport } from '@tidings/nats';
import { createRabbitMqTransport } from '@tidings/rabbitmq';
import { createRedisTransport } from '@tidings/redis';
import { logLevel } from 'kafkajs';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the chaos runner sets it to its private server`);
  return value;
};

export type OnError = (error: unknown) => void;

/** Called with what a transport dead-lettered itself, where it tells (SNS/SQS: undecodable envelopes). */
export type OnTransportDeadLetter = (record: { readonly reason: string }) => void;

const openers: Record<
  string,
  (runId: string, onError: OnError, onDeadLetter?: OnTransportDeadLetter) => Promise<Transport>
> = {
  redis: async (runId, onError) =>
    createRedisTransport({
      url: env('REDIS_URL'),
      streamPrefix: `chaos-${runId}:`,
      claimIdleMs: 2_000,
      onError,
    }),
  nats: (runId, onError) =>
    createNatsTransport({
      servers: env('NATS_URL'),
      stream: `CHAOS_${runId}`,
      subjectPrefix: `chaos-${runId}`,
      ackWaitMs: 2_000,
      onError,
    }),
  rabbitmq: (runId) =>
    createRabbitMqTransport({ url: env('RABBITMQ_URL'), exchange: `chaos-${runId}`, prefetch: 16 }),
  kafka: async (runId) =>
    createKafkaTransport({
      brokers: env('KAFKA_BROKERS').split(','),
      clientId: `chaos-${runId}`,
      topicPrefix: `chaos-${runId}.`,
      sessionTimeoutMs: 6_000,
      kafka: { logLevel: logLevel.NOTHING },
    }),
  sqs: async (runId, onError, onDeadLetter) => {
    const config = {
      endpoint: env('SQS_ENDPOINT'),
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    return createSnsSqsTransport({
      sns: new SNSClient(config),
      sqs: new SQSClient(config),
      prefix: `chaos-${runId}-`,
      visibilityTimeoutSeconds: 5,
      waitTimeSeconds: 1,
      retry: { maxAttempts: 1000, baseDelayMs: 100 },
      onError,
      ...(onDeadLetter ? { onDeadLetter } : {}),
    });
  },
};

export const brokerNames = Object.keys(openers);

export function openBroker(
  name: string,
  runId: string,
  onError: OnError,
  onDeadLetter?: OnTransportDeadLetter,
): Promise<Transport> {
  const open = openers[name];
  if (!open) throw new Error(`--broker ${name} is not one of ${brokerNames.join(', ')}`);
  return open(runId, onError, onDeadLetter);
}
