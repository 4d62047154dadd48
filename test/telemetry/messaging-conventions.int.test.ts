/**
 * Traces against the OpenTelemetry messaging semantic conventions, across two processes and
 * a real broker: this process (the OpenTelemetry SDK, in-memory exporter) publishes two
 * events in one request span through the outbox relay; a child process consumes them over
 * RabbitMQ, NATS JetStream, Redis Streams, Kafka (librdkafka's mock) or SNS/SQS (fauxqs)
 * and reports its spans. Asserts the required and recommended attributes of each
 * transport's send and process spans, the links to each message's creation context, and
 * that one trace runs from the request into the other process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { SpanKind } from '@opentelemetry/api';
import { createMemoryOutboxStore, createOutbox, createOutboxRelay } from '@tidings/core';
import { installTidingsTracing } from '@tidings/opentelemetry';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FauxqsPeer, startFauxqsPeer } from '../../packages/aws/test/fauxqs-peer.ts';
import { type MockKafkaCluster, startMockKafka } from '../../packages/kafka/test/mock-kafka.ts';
import { createTestTelemetry } from '../../packages/opentelemetry/test/telemetry.ts';
import { deadLetterExchangeOf, groupNames } from '../../packages/rabbitmq/src/names.ts';
import {
  type BrokerConfig,
  type BrokerName,
  natsServers,
  openBroker,
  rabbitMqUrl,
  redisUrl,
} from './brokers.ts';
import { handlerName, OrderPlaced, type SpanRecord } from './spans.ts';

const child = fileURLToPath(new URL('./consumer-process.ts', import.meta.url));
const telemetry = createTestTelemetry();
let kafka: MockKafkaCluster;
let fauxqs: FauxqsPeer;
const cleanups: (() => Promise<void>)[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  [kafka, fauxqs] = await Promise.all([startMockKafka({ brokers: 1 }), startFauxqsPeer()]);
});
afterAll(async () => {
  // A consumer that never reported (a failed test) must not outlive the run.
  for (const started of children) if (started.exitCode === null) started.kill('SIGKILL');
  for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  await kafka?.close();
  await fauxqs?.close();
  await telemetry.close();
});

/** What each transport must say, by the conventions (custom lowercase systems for NATS and Redis). */
interface Expected {
  readonly send: Record<string, unknown>;
  readonly process: Record<string, unknown>;
  /** Attributes of the process span that differ per message and must be present. */
  readonly perMessage: Record<string, 'string' | 'number'>;
}

function expectations(broker: BrokerName, name: string, group: string, kafkaBroker: string): Expected {
  const at = (port: number) => ({ 'server.address': '127.0.0.1', 'server.port': port });
  switch (broker) {
    case 'rabbitmq': {
      const where = {
        ...at(5672),
        'messaging.system': 'rabbitmq',
        'messaging.destination.name': name, // the exchange
        'messaging.rabbitmq.destination.routing_key': 'OrderPlaced',
      };
      return {
        send: where,
        process: where,
        perMessage: { 'messaging.rabbitmq.message.delivery_tag': 'number' },
      };
    }
    case 'nats': {
      const where = {
        ...at(4222),
        'messaging.system': 'nats',
        'messaging.destination.name': `${name}.OrderPlaced`,
      };
      return { send: where, process: where, perMessage: { 'messaging.nats.stream_sequence': 'number' } };
    }
    case 'redis': {
      const where = {
        ...at(6379),
        'messaging.system': 'redis',
        'messaging.destination.name': `${name}:OrderPlaced`,
      };
      return { send: where, process: where, perMessage: {} };
    }
    case 'kafka': {
      const where = {
        ...at(Number(kafkaBroker.split(':')[1])),
        'messaging.system': 'kafka',
        'messaging.destination.name': `${name}.OrderPlaced`,
      };
      return {
        send: where,
        process: where,
        perMessage: {
          'messaging.kafka.message.key': 'string',
          'messaging.client.id': 'string',
          'messaging.destination.partition.id': 'string',
          'messaging.kafka.offset': 'number',
        },
      };
    }
    case 'sqs':
      return {
        send: { 'messaging.system': 'aws_sns', 'messaging.destination.name': `${name}-OrderPlaced` },
        process: { 'messaging.system': 'aws_sqs', 'messaging.destination.name': `${name}-${group}` },
        perMessage: { 'aws.sqs.queue.url': 'string' },
      };
  }
}

/** Deletes what a run created on the shared servers (the peers the test started go with them). */
async function removeNames(broker: BrokerName, name: string, group: string): Promise<void> {
  if (broker === 'rabbitmq') {
    const model = await amqp.connect(rabbitMqUrl);
    const channel = await model.createChannel();
    const names = groupNames(name, group);
    await channel.deleteQueue(names.queue);
    await channel.deleteQueue(names.deadQueue);
    await channel.deleteExchange(name);
    await channel.deleteExchange(deadLetterExchangeOf(name));
    await model.close();
  } else if (broker === 'nats') {
    const nc = await connect({ servers: natsServers });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(name).catch(() => undefined);
    await jsm.streams.delete(`KV_${name}_leases`).catch(() => undefined);
    await nc.close();
  } else if (broker === 'redis') {
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${name}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
}

/** Starts the child consumer; resolves once it is subscribed, with a promise of its spans. */
async function startConsumer(config: BrokerConfig, expect: number) {
  const process_ = spawn(process.execPath, ['--conditions=@tidings/source', '--import', 'tsx', child], {
    env: { ...process.env, TRACE_BROKER: JSON.stringify(config), TRACE_EXPECT: String(expect) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(process_);
  let stderr = '';
  process_.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: process_.stdout! });
  const exited = new Promise<never>((_, reject) =>
    process_.once('exit', (code) => reject(new Error(`the consumer exited (${code}) early: ${stderr}`))),
  );
  const next = () => Promise.race([new Promise<string>((resolve) => lines.once('line', resolve)), exited]);
  expect_(await next(), 'ready');
  return { child: process_, spans: next().then((line) => JSON.parse(line) as SpanRecord[]) };
}

function expect_(actual: string, wanted: string): void {
  if (actual !== wanted) throw new Error(`the consumer said ${JSON.stringify(actual)}, not ${wanted}`);
}

function exit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', resolve));
}

const brokers: BrokerName[] = ['rabbitmq', 'nats', 'redis', 'kafka', 'sqs'];

describe.each(brokers)('messaging conventions over %s, across two processes', (broker) => {
  it('names the broker, the destination and the messages, and keeps one trace from request to handler', async () => {
    const name = `tcotel${randomBytes(4).toString('hex')}`;
    const group = `${name}-${handlerName}`;
    cleanups.push(() => removeNames(broker, name, group));
    const config: BrokerConfig = {
      broker,
      name,
      ...(broker === 'kafka' ? { endpoint: kafka.brokers.join(',') } : {}),
      ...(broker === 'sqs' ? { endpoint: fauxqs.endpoint } : {}),
    };
    const consumer = await startConsumer(config, 2);

    const tracing = installTidingsTracing({ tracerProvider: telemetry.tracerProvider, metrics: false });
    const transport = await openBroker(config);
    const outbox = createOutbox({ store: createMemoryOutboxStore(), routes: [{ name: 'broker' }] });
    const relay = createOutboxRelay(outbox, { transports: { broker: transport } });
    const tracer = telemetry.tracerProvider.getTracer('shop');
    const { root, events } = await tracer.startActiveSpan('POST /orders', { root: true }, async (span) => {
      // Two subjects, so the relay sends both in one batch (one subject's events go one at a time).
      const placed = ['o-1', 'o-2'].map((orderId) =>
        OrderPlaced.create({ orderId }, { subject: { type: 'Order', id: `${name}-${orderId}` } }),
      );
      await outbox.publish(placed);
      span.end();
      return { root: span.spanContext(), events: placed };
    });
    await relay.drain();
    const remote = await consumer.spans;
    await relay.close();
    await transport.close();
    tracing.close();
    expect(await exit(consumer.child)).toBe(0);

    const wanted = expectations(broker, name, group, kafka.brokers[0] ?? '');
    const ids = events.map((e) => e.id);

    // The relay's send span: one PRODUCER span for the batch, in the request's trace.
    const sends = telemetry
      .spans()
      .filter((s) => s.spanContext().traceId === root.traceId && s.kind === SpanKind.PRODUCER);
    expect(sends).toHaveLength(1);
    const send = sends[0]!;
    expect(send.name).toBe(`send ${String(wanted.send['messaging.destination.name'])}`);
    expect(send.parentSpanContext?.spanId).toBe(root.spanId);
    expect(send.attributes).toMatchObject({
      ...wanted.send,
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.batch.message_count': 2,
    });
    // A batch has no one message id: each link to a creation context names its message.
    expect(send.attributes['messaging.message.id']).toBeUndefined();
    expect(send.links.map((l) => [l.context.spanId, l.attributes?.['messaging.message.id']])).toEqual(
      ids.map((id) => [root.spanId, id]),
    );

    // The other process's process spans: CONSUMER, the broker's own words, linked to the creation context.
    const processed = remote.filter((s) => s.kind === SpanKind.CONSUMER);
    expect(processed.map((s) => s.attributes['messaging.message.id']).sort()).toEqual([...ids].sort());
    for (const span of processed) {
      const id = span.attributes['messaging.message.id'];
      expect(span.name).toBe(`process ${String(wanted.process['messaging.destination.name'])}`);
      expect(span.traceId).toBe(root.traceId);
      expect(span.parentSpanId).toBe(root.spanId);
      expect(span.links).toEqual([
        { traceId: root.traceId, spanId: root.spanId, attributes: { 'messaging.message.id': id } },
      ]);
      expect(span.attributes).toMatchObject({
        ...wanted.process,
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.consumer.group.name': group,
        'tidings.handler': handlerName,
        'tidings.event.type': 'OrderPlaced',
      });
      for (const [attribute, type] of Object.entries(wanted.perMessage)) {
        expect(typeof span.attributes[attribute], attribute).toBe(type);
      }
    }
  });
});
