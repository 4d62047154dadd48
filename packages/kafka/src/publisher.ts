/**
 * The Kafka publisher: one shared producer per transport, connected on first use. A
 * publish is one `sendBatch` with `acks: -1` (all in-sync replicas), so it resolves only
 * once every record is durably written, and rejects if any is not. Neither the idempotent
 * nor the transactional producer is used: at-least-once plus the consumer's inbox gives
 * effectively-once, and librdkafka's mock cluster (our test peer) cannot run either.
 */
import { TransportError, type TransportMessage } from '@tidings/core';
import { errorMessage } from '@tidings/core/spi';
import { type Kafka, type Message, Partitioners, type Producer } from 'kafkajs';
import { toKafkaMessage } from './message-mapping.ts';
import { kafkaTopicName } from './topic-name.ts';

export interface KafkaPublisher {
  publish(messages: readonly TransportMessage[]): Promise<void>;
  /** Connects the producer now (it fetches the cluster's metadata): the factory's reachability check. */
  connect(): Promise<void>;
  close(): Promise<void>;
}

export function createKafkaPublisher(kafka: Kafka, topicPrefix: string): KafkaPublisher {
  let producer: Producer | undefined;
  let connecting: Promise<Producer> | undefined;

  function connected(): Promise<Producer> {
    connecting ??= (async () => {
      const created = kafka.producer({
        allowAutoTopicCreation: true,
        idempotent: false,
        // The Java client's partitioner: one key maps to the same partition as in Java services.
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await created.connect();
      producer = created;
      return created;
    })();
    // A failed connect must not poison every later publish.
    connecting.catch(() => {
      connecting = undefined;
    });
    return connecting;
  }

  async function send(topicMessages: { topic: string; messages: Message[] }[], count: number): Promise<void> {
    try {
      const p = await connected();
      await p.sendBatch({ acks: -1, topicMessages });
    } catch (error) {
      const topics = topicMessages.map((t) => t.topic).join(', ');
      throw new TransportError(
        `Kafka did not accept ${count} message(s) for topic(s) ${topics}: ${errorMessage(error)}. ` +
          'Nothing is confirmed; publish them again once the brokers are reachable.',
        { cause: error },
      );
    }
  }

  return {
    async publish(messages) {
      if (messages.length === 0) return;
      // Grouped per topic in publish order: records of one key keep their order on their partition.
      const byTopic = new Map<string, Message[]>();
      for (const message of messages) {
        const topic = kafkaTopicName(message.topic, topicPrefix);
        const list = byTopic.get(topic) ?? [];
        list.push(toKafkaMessage(message));
        byTopic.set(topic, list);
      }
      await send(
        [...byTopic].map(([topic, list]) => ({ topic, messages: list })),
        messages.length,
      );
    },
    async connect() {
      await connected();
    },
    async close() {
      const pending = connecting;
      connecting = undefined;
      if (pending) await pending.catch(() => undefined);
      await producer?.disconnect();
      producer = undefined;
    },
  };
}
