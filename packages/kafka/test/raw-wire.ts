/**
 * A plain kafkajs client for the contract's CloudEvents interop scenarios: it writes and
 * reads records exactly as a foreign Kafka client would, with no Tidings code in between.
 */
import { randomUUID } from 'node:crypto';
import type { RawWire, RawWireMessage } from '@tidings/testing';
import { type Consumer, Kafka, logLevel, type Producer } from 'kafkajs';
import { kafkaTopicName } from '../src/topic-name.ts';

export function createKafkaRawWire(brokers: () => string[]): RawWire & { close(): Promise<void> } {
  let kafka: Kafka | undefined;
  let producer: Promise<Producer> | undefined;
  const consumers = new Set<Consumer>();
  const client = () => {
    kafka ??= new Kafka({ clientId: 'raw-wire', brokers: brokers(), logLevel: logLevel.NOTHING });
    return kafka;
  };
  return {
    binding: 'Kafka',
    async send(topic, message) {
      producer ??= (async () => {
        const p = client().producer();
        await p.connect();
        return p;
      })();
      await (await producer).send({
        topic: kafkaTopicName(topic),
        acks: -1,
        messages: [{ key: message.key, value: Buffer.from(message.body), headers: { ...message.headers } }],
      });
    },
    async read(topic) {
      const messages: RawWireMessage[] = [];
      const consumer = client().consumer({
        groupId: `raw-${randomUUID()}`,
        sessionTimeout: 3_000,
        heartbeatInterval: 1_000,
      });
      consumers.add(consumer);
      await consumer.connect();
      // The topic is new: from the beginning is "from now on" and survives a slow group join.
      await consumer.subscribe({ topic: kafkaTopicName(topic), fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) {
            if (value !== undefined) headers[name] = String(Array.isArray(value) ? value[0] : value);
          }
          messages.push({
            headers,
            body: message.value ?? Buffer.alloc(0),
            key: message.key?.toString() ?? '',
          });
        },
      });
      return {
        messages,
        close: async () => {
          consumers.delete(consumer);
          await consumer.disconnect();
        },
      };
    },
    async close() {
      await Promise.all([...consumers].map((c) => c.disconnect()));
      if (producer) await (await producer).disconnect();
    },
  };
}
