/**
 * Removes what one run of the two services made on shared servers, once both have exited:
 * the RabbitMQ groups' quorum queues, dead-letter queues and parked dead-letter queues bound to `shop` (wait queues
 * expire by themselves), the NATS stream, the Redis streams, the SNS topics and SQS queues,
 * and the PostgreSQL schemas of the two services' databases. Everything is named after
 * SHOP_STREAM (see brokerSettings), so only this run's objects go, its exchanges too (the
 * default `shop` exchange of a run without SHOP_STREAM stays: declared idempotently, it
 * holds no messages). The Kafka mock cluster and an
 * in-process fauxqs vanish with the run; on a Kafka cluster of yours the topics stay.
 */
import { shopHandlerNames } from '../handlers.ts';
import { type BrokerName, brokerSettings } from './broker.ts';

const services = ['orders', 'notifications'] as const;

export async function removeRunState(broker: BrokerName, env: NodeJS.ProcessEnv): Promise<void> {
  const names = brokerSettings(env);
  const groups = shopHandlerNames.map((handler) => `${names.groupPrefix}${handler}`);
  if (broker === 'rabbitmq')
    await removeRabbitQueues(env, names.exchange, groups, env.SHOP_STREAM !== undefined);
  if (broker === 'nats') await removeNatsStream(env, names.natsStream);
  if (broker === 'redis') await removeRedisKeys(env, names.streamPrefix);
  if (broker === 'sqs') await removeSnsSqs(env, names.resourcePrefix);
  const url = env.DATABASE_URL;
  if (url?.startsWith('postgres'))
    await removeSchemas(
      url,
      services.map((s) => `${env.SHOP_STREAM}_${s}`),
    );
}

async function removeRabbitQueues(
  env: NodeJS.ProcessEnv,
  exchange: string,
  groups: string[],
  ownExchange: boolean,
) {
  const { default: amqp } = await import('amqplib');
  const { deadLetterExchangeOf, deadLetterTopicQueue, groupNames } = await import('@tidings/rabbitmq');
  const connection = await amqp.connect(env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
  try {
    const channel = await connection.createChannel();
    for (const group of groups) {
      const queues = groupNames(exchange, group);
      await channel.deleteQueue(queues.queue);
      await channel.deleteQueue(queues.deadQueue);
    }
    // The queues that keep the consumer's dead letters (transportDeadLetterSink's topics).
    for (const handler of shopHandlerNames) {
      await channel.deleteQueue(deadLetterTopicQueue(exchange, `tidings.deadletter.${handler}`));
    }
    // A run with its own SHOP_STREAM made its own exchanges (see brokerSettings).
    if (ownExchange) {
      await channel.deleteExchange(deadLetterExchangeOf(exchange));
      await channel.deleteExchange(exchange);
    }
  } finally {
    await connection.close();
  }
}

async function removeNatsStream(env: NodeJS.ProcessEnv, stream: string) {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  try {
    const jsm = await jetstreamManager(nc);
    // The stream and the KV bucket of its lane leases.
    for (const name of [stream, `KV_${stream}_leases`]) {
      await jsm.streams.delete(name).catch((error: unknown) => {
        if (!/not found/i.test(String(error))) throw error;
      });
    }
  } finally {
    await nc.close();
  }
}

async function removeRedisKeys(env: NodeJS.ProcessEnv, prefix: string) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  await redis.connect();
  try {
    // The prefix is the run's own (letters and digits); escape glob characters all the same.
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function removeSnsSqs(env: NodeJS.ProcessEnv, prefix: string) {
  if (!env.AWS_ENDPOINT_URL) return;
  const sns = await import('@aws-sdk/client-sns');
  const sqs = await import('@aws-sdk/client-sqs');
  const config = {
    endpoint: env.AWS_ENDPOINT_URL,
    region: env.AWS_REGION ?? 'eu-west-1',
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'test',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'test',
    },
  };
  const queues = new sqs.SQSClient(config);
  const topics = new sns.SNSClient(config);
  try {
    const listed = await queues.send(new sqs.ListQueuesCommand({ QueueNamePrefix: prefix }));
    for (const url of listed.QueueUrls ?? [])
      await queues.send(new sqs.DeleteQueueCommand({ QueueUrl: url }));
    let token: string | undefined;
    do {
      const page = await topics.send(
        new sns.ListTopicsCommand(token === undefined ? {} : { NextToken: token }),
      );
      for (const { TopicArn } of page.Topics ?? []) {
        if (TopicArn?.split(':').at(-1)?.startsWith(prefix)) {
          await topics.send(new sns.DeleteTopicCommand({ TopicArn }));
        }
      }
      token = page.NextToken;
    } while (token !== undefined);
  } finally {
    queues.destroy();
    topics.destroy();
  }
}

async function removeSchemas(url: string, schemas: string[]) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
