/**
 * Connects to the broker named by BROKER (rabbitmq, nats, redis, kafka or sqs) with the
 * address from the environment, defaulting to the local servers the tests use.
 */
import type { Transport } from '@tidings/core';
import { ConfigurationError } from '@tidings/core';

export const brokers = ['rabbitmq', 'nats', 'redis', 'kafka', 'sqs'] as const;
export type BrokerName = (typeof brokers)[number];

export function brokerName(value = process.env.BROKER ?? 'rabbitmq'): BrokerName {
  if (!(brokers as readonly string[]).includes(value)) {
    throw new ConfigurationError(`BROKER=${value} is not supported; use one of ${brokers.join(', ')}.`);
  }
  return value as BrokerName;
}

/**
 * The names one run uses on the broker, all derived from SHOP_STREAM, so that a run can
 * remove exactly what it made (see broker-cleanup.ts).
 */
export function brokerSettings(env: NodeJS.ProcessEnv = process.env) {
  const stream = env.SHOP_STREAM;
  return {
    // A run of its own (SHOP_STREAM) gets an exchange of its own: on a shared exchange another
    // run's events reach this run's queues, and its cleanup removes queues this run still uses.
    exchange: env.SHOP_EXCHANGE ?? (stream ? `shop.${stream}` : 'shop'),
    natsStream: stream ?? 'SHOP',
    subjectPrefix: stream?.toLowerCase() ?? 'shop',
    streamPrefix: `${stream ?? 'shop'}:`,
    resourcePrefix: stream ?? 'shop',
    groupPrefix: `${stream ?? 'shop'}.`,
  };
}

export async function connectBroker(name: BrokerName, service: string): Promise<Transport> {
  const env = process.env;
  const names = brokerSettings(env);
  switch (name) {
    case 'rabbitmq': {
      const { createRabbitMqTransport } = await import('@tidings/rabbitmq');
      return createRabbitMqTransport({
        connection: env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
        prefix: names.exchange,
      });
    }
    case 'nats': {
      const { createNatsTransport } = await import('@tidings/nats');
      return createNatsTransport({
        connection: env.NATS_URL ?? 'nats://127.0.0.1:4222',
        stream: names.natsStream,
        prefix: names.subjectPrefix,
      });
    }
    case 'redis': {
      const { createRedisTransport } = await import('@tidings/redis');
      return createRedisTransport({
        connection: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        prefix: names.streamPrefix,
      });
    }
    case 'kafka': {
      if (!env.KAFKA_BROKERS)
        throw new ConfigurationError('BROKER=kafka needs KAFKA_BROKERS=host:port[,host:port].');
      const { createKafkaTransport } = await import('@tidings/kafka');
      return createKafkaTransport({
        connection: env.KAFKA_BROKERS,
        clientId: service,
        prefix: env.SHOP_STREAM ?? '',
      });
    }
    case 'sqs': {
      if (!env.AWS_ENDPOINT_URL)
        throw new ConfigurationError('BROKER=sqs needs AWS_ENDPOINT_URL (an SNS/SQS endpoint, e.g. fauxqs).');
      const { createSnsSqsTransport } = await import('@tidings/aws');
      const { SNSClient } = await import('@aws-sdk/client-sns');
      const { SQSClient } = await import('@aws-sdk/client-sqs');
      const config = {
        endpoint: env.AWS_ENDPOINT_URL,
        region: env.AWS_REGION ?? 'eu-west-1',
        credentials: {
          accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'test',
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'test',
        },
      };
      return createSnsSqsTransport({
        connection: { sns: new SNSClient(config), sqs: new SQSClient(config) },
        prefix: names.resourcePrefix,
        waitTimeSeconds: 1,
      });
    }
  }
}
