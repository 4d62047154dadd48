/**
 * The brokers a chaos run can go through, and how a worker opens the transport to one, in
 * the shared option vocabulary (docs/transports.md). The URLs come from the environment the
 * runner sets to its private servers (servers/private-servers.ts). Lease, redelivery and
 * polling timings are short so a SIGKILLed member's messages come back within seconds. The
 * transport object declares its features; the runner reads `orderingByKey` from it (the
 * consumer worker reports it). Dead letters are the consumer's alone: no transport
 * dead-letters itself any more.
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

/**
 * The backstop, far above what SIGKILLs and server restarts can add to one message's
 * deliveries: a run must show the consumer deciding, never the broker giving up (1 000 is
 * the most SQS's `maxReceiveCount` allows).
 */
const maxDeliveries = 1_000;

const openers: Record<string, (runId: string, onError: OnError) => Promise<Transport>> = {
  redis: (runId, onError) =>
    createRedisTransport({
      connection: env('REDIS_URL'),
      prefix: `chaos-${runId}:`,
      leaseMs: 2_000,
      blockMs: 500,
      maxDeliveries,
      onError,
    }),
  nats: (runId, onError) =>
    createNatsTransport({
      connection: env('NATS_URL'),
      stream: `CHAOS_${runId}`,
      prefix: `chaos-${runId}`,
      ackWaitMs: 2_000,
      maxDeliveries,
      onError,
    }),
  rabbitmq: (runId, onError) =>
    createRabbitMqTransport({
      connection: env('RABBITMQ_URL'),
      prefix: `chaos-${runId}`,
      prefetch: 16,
      maxDeliveries,
      onError,
    }),
  kafka: (runId, onError) =>
    createKafkaTransport({
      connection: env('KAFKA_BROKERS'),
      clientId: `chaos-${runId}`,
      prefix: `chaos-${runId}.`,
      sessionTimeoutMs: 6_000,
      maxDeliveries,
      onError,
      kafka: { logLevel: logLevel.NOTHING },
    }),
  sqs: async (runId, onError) => {
    const config = {
      endpoint: env('SQS_ENDPOINT'),
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    const sns = new SNSClient(config);
    const sqs = new SQSClient(config);
    const transport = await createSnsSqsTransport({
      connection: { sns, sqs },
      prefix: `chaos-${runId}-`,
      visibilityTimeoutSeconds: 5,
      waitTimeSeconds: 1,
      maxDeliveries,
      onError,
    });
    // The clients are ours, so the transport leaves them open: close them with it.
    const close = transport.close.bind(transport);
    return Object.assign(transport, {
      close: async () => {
        await close();
        sns.destroy();
        sqs.destroy();
      },
    });
  },
};

export const brokerNames = Object.keys(openers);

export function openBroker(name: string, runId: string, onError: OnError): Promise<Transport> {
  const open = openers[name];
  if (!open) throw new Error(`--broker ${name} is not one of ${brokerNames.join(', ')}`);
  return open(runId, onError);
}
