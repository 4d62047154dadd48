/**
 * Hostile records produced with plain kafkajs to the consumer's topic: CloudEvents
 * attributes as `ce_*` headers (bytes, as Kafka carries them), keys and bodies as they come.
 * The mock deletes the oldest records of a partition past 5 MiB, read or not, so the runner
 * keeps at most `window` messages unread: 5,000 of about 3 KiB on average is 15 MiB, spread
 * over the topic's 32 partitions (servers/kafka-server.ts), 160 MiB of retention in all.
 */
import { kafkaTopicName } from '@tidings/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { asText, fuzzTopic, plain, type RawSender } from './raw-sender.ts';

export async function kafkaSender(runId: string): Promise<RawSender> {
  const kafka = new Kafka({
    clientId: `fuzz-${runId}`,
    brokers: (process.env.KAFKA_BROKERS as string).split(','),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer();
  await producer.connect();
  const topic = kafkaTopicName(fuzzTopic, `chaos-${runId}.`);
  return {
    huge: 900 * 1024,
    window: 5_000,
    async send(batch) {
      await producer.send({
        topic,
        acks: -1,
        messages: batch.map((m) => ({
          key: m.key,
          value: m.body,
          headers: Object.fromEntries(
            Object.entries(m.headers).map(([name, value]) => {
              const bytes = Buffer.isBuffer(value) ? value : Buffer.from(plain(asText(value)));
              return [name.startsWith('ce-') ? `ce_${name.slice(3)}` : name, bytes];
            }),
          ),
        })),
      });
    },
    close: () => producer.disconnect(),
  };
}
