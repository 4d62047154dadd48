/**
 * End to end per broker: the orders service's outbox → relay → broker → the
 * notifications service's consumer → handlers with the inbox. A poison message and a
 * bouncing address end as dead letters with their reasons, and the consumer keeps going.
 * Afterwards nothing of the run is left on the shared servers or in the temp folder.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { deadLetterTopicQueue, groupNames } from '@tidings/rabbitmq';
import amqp from 'amqplib';
import { startFauxqs } from 'fauxqs';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { shopHandlerNames } from '../handlers.ts';
import { type BrokerName, brokerSettings, brokers } from './broker.ts';
import { removeRunState } from './broker-cleanup.ts';

const run = promisify(execFile);
const script = new URL('./two-services.ts', import.meta.url).pathname;

// A safety net only: the run must have removed all of it itself (asserted below).
const runs: { broker: BrokerName; env: NodeJS.ProcessEnv }[] = [];
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const { broker, env } of runs) await removeRunState(broker, env);
  for (const close of closers) await close();
});

/** An SNS/SQS endpoint that outlives the run, so the test can see what the run left on it. */
async function startSnsSqs(): Promise<string> {
  const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  closers.push(() => server.stop());
  return `http://127.0.0.1:${server.port}`;
}

/** What of a run's state is still on the broker it ran on, by name. */
async function leftOn(broker: BrokerName, env: NodeJS.ProcessEnv): Promise<string[]> {
  const names = brokerSettings(env);
  if (broker === 'rabbitmq') {
    const connection = await amqp.connect(env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
    const left: string[] = [];
    try {
      for (const handler of shopHandlerNames) {
        const queues = groupNames(names.exchange, `${names.groupPrefix}${handler}`);
        const parked = deadLetterTopicQueue(names.exchange, `tidings.deadletter.${handler}`);
        for (const queue of [queues.queue, queues.deadQueue, parked]) {
          // checkQueue closes its channel when the queue is missing: one channel per look.
          const channel = await connection.createChannel();
          channel.on('error', () => undefined);
          if (
            await channel.checkQueue(queue).then(
              () => true,
              () => false,
            )
          )
            left.push(queue);
        }
      }
    } finally {
      await connection.close();
    }
    return left;
  }
  if (broker === 'nats') {
    const nc = await connect({ servers: env.NATS_URL ?? 'nats://127.0.0.1:4222' });
    try {
      const jsm = await jetstreamManager(nc);
      const found = await jsm.streams.info(names.natsStream).then(
        () => true,
        () => false,
      );
      return found ? [names.natsStream] : [];
    } finally {
      await nc.close();
    }
  }
  if (broker === 'redis') {
    const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      return await redis.keys(`${names.streamPrefix}*`);
    } finally {
      redis.disconnect();
    }
  }
  if (broker === 'sqs') {
    const config = {
      endpoint: env.AWS_ENDPOINT_URL as string,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    const sqs = new SQSClient(config);
    const sns = new SNSClient(config);
    try {
      const queues = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: names.resourcePrefix }));
      const topics = await sns.send(new ListTopicsCommand({}));
      return [
        ...(queues.QueueUrls ?? []),
        ...(topics.Topics ?? []).flatMap(({ TopicArn }) =>
          TopicArn?.includes(names.resourcePrefix) ? [TopicArn] : [],
        ),
      ];
    } finally {
      sqs.destroy();
      sns.destroy();
    }
  }
  // Kafka's mock cluster stops with the run (and cannot delete topics).
  return [];
}

describe('the shop as two services over a broker', () => {
  it.each(brokers)(
    'BROKER=%s',
    async (broker) => {
      const stream = `shoptest${Date.now().toString(36)}`;
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        BROKER: broker,
        NO_COLOR: '1',
        DATABASE_URL: '',
        SHOP_STREAM: stream,
      };
      if (broker === 'sqs') env.AWS_ENDPOINT_URL = await startSnsSqs();
      runs.push({ broker, env });
      const { stdout } = await run(
        process.execPath,
        ['--conditions=@tidings/source', '--import', 'tsx', script],
        {
          env,
          timeout: 170_000,
        },
      );
      expect(stdout).toContain('gave up on message poison-1 after 1 attempt(s): TIDINGS_DECODE');
      expect(stdout).toContain('send-order-confirmation handled OrderPlaced o-1002 (attempt 2)');
      expect(stdout).toContain(
        `notifications: 2 e-mails sent, 3 dead letter(s), dashboard orders=3 revenue=$346.00 registrations=3 (via ${broker})`,
      );
      const dir = /data in (\S+)/.exec(stdout)?.[1];
      expect(dir).toMatch(/shop-services-/);
      expect(existsSync(dir as string)).toBe(false);
      expect(await leftOn(broker, env)).toEqual([]);
    },
    180_000,
  );
});
