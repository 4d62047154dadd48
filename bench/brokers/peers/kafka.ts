/**
 * Kafka session on librdkafka's mock cluster (3 brokers, started per session and stopped on
 * close): a topic prefix of its own, `acks: -1` publishes, consumer groups committing after
 * handling. A mock keeps everything in memory, so its numbers show client and runtime cost,
 * not what a real Kafka with fsync'd replicas would do.
 */
import { execFileSync } from 'node:child_process';
import { createKafkaTransport } from '@tidings/kafka';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { startMockKafka } from '../../../packages/kafka/test/mock-kafka.ts';
import { chunk, uniqueId } from '../fixture.ts';
import type { BrokerPeer, BrokerSession, RawSubscription } from '../peer.ts';

function rdkafkaVersion(): string {
  try {
    return execFileSync('pkg-config', ['--modversion', 'rdkafka'], { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}

/** Awaits a slow handler while keeping the group membership alive, as the transport does. */
async function whileHeartbeating(work: Promise<void>, heartbeat: () => Promise<void>): Promise<void> {
  const timer = setInterval(() => heartbeat().catch(() => undefined), 3_000);
  try {
    await work;
  } finally {
    clearInterval(timer);
  }
}

async function openSession(): Promise<BrokerSession> {
  const cluster = await startMockKafka({ brokers: 3 });
  const topicPrefix = `b${uniqueId()}.`;
  const rawTopic = `${topicPrefix}raw`;
  const kafka = new Kafka({ clientId: 'bench-raw', brokers: cluster.brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({
    allowAutoTopicCreation: true,
    idempotent: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const closers: { close(): Promise<void> }[] = [];

  return {
    async createTransport() {
      const transport = await createKafkaTransport({
        connection: cluster.brokers.join(','),
        prefix: topicPrefix,
        kafka: { logLevel: logLevel.NOTHING },
      });
      closers.push(transport);
      return transport;
    },
    async rawPublish(messages) {
      await Promise.all(
        chunk(messages, 1000).map((slice) =>
          producer.sendBatch({
            acks: -1,
            topicMessages: [
              {
                topic: rawTopic,
                messages: slice.map((m) => ({
                  key: m.key,
                  value: Buffer.from(m.body),
                  headers: { ...m.headers },
                })),
              },
            ],
          }),
        ),
      );
    },
    async rawSubscribe(group, onMessage, options): Promise<RawSubscription> {
      // The transport's consumer settings, so both sides wait alike for joins and fetches.
      const consumer = kafka.consumer({
        groupId: `raw-${group}`,
        sessionTimeout: 10_000,
        heartbeatInterval: 3_333,
        maxWaitTimeInMs: 1_000,
      });
      await consumer.connect();
      await consumer.subscribe({ topic: rawTopic, fromBeginning: true });
      const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
      await consumer.run({
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
          const deliver = (m: (typeof batch.messages)[number]) => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(m.headers ?? {})) headers[k] = String(v);
            return onMessage({ headers, body: m.value ?? new Uint8Array(0) });
          };
          if (options?.concurrent) {
            // 64 at a time, the offset resolved once all of them are done.
            for (let i = 0; i < batch.messages.length; i += 64) {
              const slice = batch.messages.slice(i, i + 64);
              await whileHeartbeating(
                Promise.all(slice.map(deliver)).then(() => undefined),
                heartbeat,
              );
              resolveOffset((slice.at(-1) as (typeof batch.messages)[number]).offset);
            }
          } else
            for (const m of batch.messages) {
              const handled = deliver(m);
              if (handled) await whileHeartbeating(handled, heartbeat);
              resolveOffset(m.offset);
            }
          await commitOffsetsIfNecessary();
        },
      });
      await joined;
      const subscription = { close: () => consumer.disconnect() };
      closers.push(subscription);
      return subscription;
    },
    async createSink() {
      // Topics keep every record already; the mock holds them in memory for the session.
      return { purge: async () => {} };
    },
    async versions() {
      return { Kafka: `librdkafka ${rdkafkaVersion()} mock cluster (in-memory, not a real Kafka)` };
    },
    async close() {
      for (const c of closers) await c.close();
      await producer.disconnect();
      await cluster.close();
    },
  };
}

export const kafkaPeer: BrokerPeer = {
  id: 'kafka',
  label: 'Kafka (librdkafka mock cluster)',
  emulated: true,
  slow: false,
  open: openSession,
};
