/**
 * End to end over real brokers: producer outbox → relay → broker → consumer whose dead
 * letters go to its own SQLite (or PostgreSQL) store; a poison message (a foreign
 * producer's undecodable body) and an exhausted one (the handler keeps failing) both land
 * there; `tidings dead-letters` lists them with their reasons; the handler is fixed;
 * `tidings redrive` asks for the exhausted one back, and the consumer's redrive loop
 * republishes it so the handler handles it again, once.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import {
  createCatalog,
  createConsumer,
  createMemoryOutboxStore,
  createOutbox,
  createOutboxRelay,
  defineEvent,
  durableHandler,
  type HasReceivedDeadLetters,
  type Inbox,
  receivedDeadLetterIdOf,
  storeDeadLetterSink,
  type Transport,
  toTransportMessage,
} from '@tidings/core';
import { createPostgresOutboxStore } from '@tidings/postgres';
import { deadLetterExchangeOf } from '@tidings/rabbitmq';
import { createSqliteOutboxStore } from '@tidings/sqlite';
import { waitUntil } from '@tidings/testing';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type FauxqsPeer, startFauxqsPeer } from '../../packages/aws/test/fauxqs-peer.ts';
import { runCli } from '../../packages/inspector/src/cli/run-cli.ts';
import { captureIo } from '../../packages/inspector/src/cli/test-io.ts';
import { type MockKafkaCluster, startMockKafka } from '../../packages/kafka/test/mock-kafka.ts';
import { createQueueJanitor } from '../../packages/rabbitmq/test/queue-janitor.ts';
import { type BrokerName, natsServers, openBroker, rabbitMqUrl, redisUrl } from '../telemetry/brokers.ts';

const OrderPlaced = defineEvent('e2e.OrderPlaced', { schema: z.object({ orderId: z.string() }) });
const catalog = createCatalog([OrderPlaced]);

const dirs: string[] = [];
// The Kafka and SNS/SQS peers are processes of this file; closing them removes their topics.
let kafka: MockKafkaCluster | undefined;
let fauxqs: FauxqsPeer | undefined;
beforeAll(async () => {
  [kafka, fauxqs] = await Promise.all([startMockKafka({ brokers: 1 }), startFauxqsPeer()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([kafka?.close(), fauxqs?.close()]);
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Deletes what a run made on the shared servers besides the groups' queues (the janitor's). */
async function removeRun(broker: BrokerName, name: string): Promise<void> {
  if (broker === 'rabbitmq') {
    const model = await amqp.connect(rabbitMqUrl);
    const channel = await model.createChannel();
    await channel.deleteExchange(name);
    await channel.deleteExchange(deadLetterExchangeOf(name));
    await model.close();
  } else if (broker === 'nats') {
    const nc = await connect({ servers: natsServers });
    await (await jetstreamManager(nc)).streams.delete(name).catch(() => undefined);
    await nc.close();
  } else if (broker === 'redis') {
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${name}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
}

type StoreKind = 'sqlite' | 'postgres';
interface ConsumerStore {
  readonly store: Inbox<unknown> & HasReceivedDeadLetters;
  readonly db: readonly string[];
  close(): Promise<void>;
}
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The consuming service's store, and the --db flags that name it for the CLI. */
async function openConsumerStore(kind: StoreKind, dir: string, name: string): Promise<ConsumerStore> {
  if (kind === 'sqlite') {
    const file = join(dir, 'analytics.db');
    const store = createSqliteOutboxStore({ filename: file });
    return { store, db: ['--db', file], close: () => store.close() };
  }
  const schema = name.replaceAll('-', '_');
  const store = createPostgresOutboxStore({ connectionString: databaseUrl, schema, notify: false });
  return {
    store: store as unknown as ConsumerStore['store'],
    db: ['--db', databaseUrl, '--schema', schema],
    async close() {
      await store.close();
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

async function cli(cwd: string, ...argv: string[]) {
  const io = captureIo({ cwd });
  const code = await runCli(argv, io);
  return { code, ...io.written };
}

const runs: [BrokerName, StoreKind][] = [
  ['rabbitmq', 'sqlite'],
  ['redis', 'sqlite'],
  ['nats', 'sqlite'],
  ['kafka', 'sqlite'],
  ['sqs', 'sqlite'],
  ['rabbitmq', 'postgres'],
];

describe.each(runs)('consumer dead letters over %s into %s', (broker, kind) => {
  it('land in the consumer store, are listed by the CLI, and redriven to the fixed handler', async () => {
    const name = `tidings-dl-${randomUUID().slice(0, 8)}`;
    const janitor = createQueueJanitor(rabbitMqUrl, name);
    const endpoint =
      broker === 'kafka' ? kafka?.brokers.join(',') : broker === 'sqs' ? fauxqs?.endpoint : undefined;
    const open = async (): Promise<Transport> =>
      janitor.track(await openBroker({ broker, name, ...(endpoint === undefined ? {} : { endpoint }) }));
    const [producerSide, consumerSide] = [await open(), await open()];
    const dir = await mkdtemp(join(tmpdir(), 'tidings-dl-e2e-'));
    dirs.push(dir);
    const { store, db, close } = await openConsumerStore(kind, dir, name);
    let broken = true;
    const handled: string[] = [];
    const consumer = createConsumer<unknown>({
      transport: consumerSide,
      catalog,
      inbox: store,
      groupPrefix: `${name}.`,
      deadLetters: storeDeadLetterSink(store, { redrive: { pollMs: 50 } }),
      handlers: [
        durableHandler(
          'update-dashboard',
          OrderPlaced,
          (event) => {
            if (broken) throw new Error('dashboard database is read-only');
            handled.push(event.payload.orderId);
          },
          { inbox: true, retry: { maxAttempts: 2, baseDelayMs: 20, jitter: 'none' } },
        ),
      ],
    });
    const producer = createOutbox({ store: createMemoryOutboxStore(), routes: [{ name: 'broker' }] });
    const relay = createOutboxRelay(producer, { transports: { broker: producerSide } });
    try {
      await consumer.start();
      const exhausted = OrderPlaced.create({ orderId: 'o-1' }, { subject: { type: 'Order', id: 'o-1' } });
      await producer.publish(exhausted);
      await relay.drain();
      // A foreign producer's message whose body is not JSON: dead at once.
      const good = toTransportMessage(OrderPlaced.create({ orderId: 'o-2' }));
      const poisonId = randomUUID();
      await producerSide.publish([
        {
          ...good,
          id: poisonId,
          headers: { ...good.headers, 'ce-id': poisonId },
          body: Buffer.from('{"orderId":'),
        },
      ]);

      const port = store.receivedDeadLetters;
      await waitUntil(async () => (await port.list()).length === 2, 'both dead letters in the store', 30_000);
      const listed = await cli(dir, 'dead-letters', ...db);
      expect(listed.code).toBe(0);
      const exhaustedId = receivedDeadLetterIdOf('update-dashboard', exhausted.id);
      expect(listed.stdout).toContain(`received update-dashboard on e2e.OrderPlaced`);
      expect(listed.stdout).toContain(`${exhaustedId} · 2 attempt(s)`);
      expect(listed.stdout).toContain('    dashboard database is read-only');
      expect(listed.stdout).toMatch(/TIDINGS_DECODE · 1 attempt\(s\)/);
      const letter = await port.get(exhaustedId);
      expect(letter).toMatchObject({ group: `${name}.update-dashboard`, attempts: 2 });
      expect(Date.parse(letter!.firstFailedAt)).toBeLessThan(Date.parse(letter!.lastFailedAt));
      expect(handled).toEqual([]);

      broken = false;
      const redrive = await cli(dir, 'redrive', exhaustedId, ...db);
      expect(redrive.stdout).toContain(`Requested the redrive of ${exhaustedId}`);
      await waitUntil(() => handled.length === 1, 'the redriven message handled', 30_000);
      await waitUntil(async () => (await port.get(exhaustedId))?.status === 'redriven', 'marked redriven');
      expect(handled).toEqual(['o-1']);
      expect((await cli(dir, 'dead-letters', ...db)).stdout).toContain('0 outbox, 1 received');
    } finally {
      await relay.close();
      await consumer.close();
      await Promise.all([producerSide.close(), consumerSide.close(), close()]);
      if (broker === 'rabbitmq') await janitor.sweep();
      await removeRun(broker, name);
    }
  });
});
