/**
 * librdkafka's mock cluster (3 brokers) as a child of the run. It keeps topics, offsets and
 * groups in memory only: a restart would start an empty cluster, so every message not yet
 * consumed would be lost by the "server", proving nothing about us. Restarts are skipped
 * for it, with that reason printed in the figures.
 *
 * The mock also retains at most 5 MiB (and 100,000 produce batches) per partition and
 * deletes the oldest beyond that, read or not (`rd_kafka_mock_msgset_new` in librdkafka
 * 2.0.2, with no setting to change it): a retention of 20 MiB for the 4 partitions it gives
 * an auto-created topic. A consumer lagging further behind loses messages to retention, as
 * it would on a real cluster with `retention.bytes` that small. So the run's topic is
 * created up front with `partitions` partitions (32: 160 MiB, more than the 100,000 events
 * of a full chaos run), and the fuzz runner keeps its backlog under a window.
 */
import { kafkaTopicName } from '@tidings/kafka';
import { startMockKafka } from '../../../packages/kafka/test/mock-kafka.ts';
import type { PrivateServer } from './private-server.ts';

/** The Kafka topic the chaos and fuzz runs use: `crash.Ticked` under the run's prefix (brokers.ts). */
export const chaosKafkaTopic = (id: string) => kafkaTopicName('crash.Ticked', `chaos-${id}.`);

export async function startKafka(id: string, partitions = 32): Promise<PrivateServer> {
  const cluster = await startMockKafka({ brokers: 3, topics: [`${chaosKafkaTopic(id)}:${partitions}`] });
  return {
    name: 'kafka',
    env: { KAFKA_BROKERS: cluster.brokers.join(',') },
    noRestart:
      'the librdkafka mock cluster keeps its topics, offsets and groups in memory only; a restart empties it',
    died: cluster.died,
    async restart() {},
    stop: () => cluster.close(),
  };
}
