/**
 * One transport per broker for the cross-process tracing test, built from a plain config
 * that the test hands its child consumer through the environment, so both processes talk
 * to the same exchange, stream, prefix or queue names on the real servers.
 */
import type { Transport } from '@tidings/core';
import { logLevel } from 'kafkajs';
import { createSnsSqsTransport } from '../../packages/aws/src/sns-sqs-transport.ts';
import { createTestClients } from '../../packages/aws/test/fauxqs-peer.ts';
import { createKafkaTransport } from '../../packages/kafka/src/kafka-transport.ts';
import { createNatsTransport } from '../../packages/nats/src/nats-transport.ts';
import { createRabbitMqTransport } from '../../packages/rabbitmq/src/rabbitmq-transport.ts';
import { createRedisTransport } from '../../packages/redis/src/redis-transport.ts';

export type BrokerName = 'rabbitmq' | 'nats' | 'redis' | 'kafka' | 'sqs';

export interface BrokerConfig {
  readonly broker: BrokerName;
  /** Unique per run: the exchange, stream, subject prefix, key prefix or resource prefix. */
  readonly name: string;
  /** Kafka bootstrap brokers or the fauxqs endpoint, for the peers the test starts. */
  readonly endpoint?: string;
}

export const rabbitMqUrl = 'amqp://guest:guest@127.0.0.1:5672';
export const natsServers = 'nats://127.0.0.1:4222';
export const redisUrl = 'redis://127.0.0.1:6379';

export async function openBroker(config: BrokerConfig): Promise<Transport> {
  const { name, endpoint = '' } = config;
  switch (config.broker) {
    case 'rabbitmq':
      return createRabbitMqTransport({ connection: rabbitMqUrl, prefix: name, connectTimeoutMs: 5_000 });
    case 'nats':
      return createNatsTransport({ connection: natsServers, stream: name, prefix: name });
    case 'redis':
      return createRedisTransport({ connection: redisUrl, prefix: `${name}:`, blockMs: 500 });
    case 'kafka':
      return createKafkaTransport({
        connection: endpoint,
        prefix: `${name}.`,
        sessionTimeoutMs: 3_000,
        heartbeatIntervalMs: 500,
        kafka: { logLevel: logLevel.NOTHING },
      });
    case 'sqs': {
      const clients = createTestClients(endpoint);
      const transport = await createSnsSqsTransport({
        connection: { sns: clients.sns, sqs: clients.sqs },
        prefix: `${name}-`,
        waitTimeSeconds: 1,
        onError: () => undefined,
      });
      const close = transport.close.bind(transport);
      return Object.assign(transport, {
        close: async () => {
          await close();
          clients.destroy();
        },
      });
    }
  }
}
