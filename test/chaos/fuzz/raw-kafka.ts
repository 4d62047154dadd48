/**
 * Hostile records produced with plain kafkajs to the consumer's topic: CloudEvents
 * attributes as `ce_*` headers (bytes, as Kafka carries them), keys and bodies as they come.
 * The mock deletes the oldest records of a partition past 5 MiB, read or not, so the runner
 * keeps at most `window` messages unread over the topic's 32 partitions
 * (servers/kafka-server.ts). The window bounds the sum, not one partition's share, and the
 * consumer does not drain partitions evenly: 1,000 keeps even the worst case under 5 MiB
 * (one huge 900 KiB body, the rest averaging 3 KiB). With 5,000, one partition fell about
 * 2,000 records behind the others and lost them to retention.
 */
import { Kafka, logLevel } from 'kafkajs';
import { chaosKafkaTopic } from '../servers/kafka-server.ts';
import { asText, plain, type RawSender } from './raw-sender.ts';

export async function kafkaSender(runId: string): Promise<RawSender> {
  const kafka = new Kafka({
    clientId: `fuzz-${runId}`,
    brokers: (process.env.KAFKA_BROKERS as string).split(','),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer();
  await producer.connect();
  const topic = chaosKafkaTopic(runId);
  return {
    huge: 900 * 1024,
    window: 1_000,
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
