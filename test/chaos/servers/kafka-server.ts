/**
 * librdkafka's mock cluster (3 brokers) as a child of the run. It keeps topics, offsets and
 * groups in memory only: a restart would start an empty cluster, so every message not yet
 * consumed would be lost by the "server", proving nothing about us. Restarts are skipped
 * for it, with that reason printed in the figures.
 */
import { startMockKafka } from '../../../packages/kafka/test/mock-kafka.ts';
import type { PrivateServer } from './private-server.ts';

export async function startKafka(): Promise<PrivateServer> {
  const cluster = await startMockKafka({ brokers: 3 });
  return {
    name: 'kafka',
    env: { KAFKA_BROKERS: cluster.brokers.join(',') },
    noRestart:
      'the librdkafka mock cluster keeps its topics, offsets and groups in memory only; a restart empties it',
    async restart() {},
    stop: () => cluster.close(),
  };
}
