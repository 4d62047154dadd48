/**
 * Keeps every process of a topic on one partition count: the first publisher or subscriber
 * records it (`SET <prefix><topic>~partitions n NX GET`), later ones compare. Two counts on
 * one topic would put one key into two streams, read by two members: order would be lost
 * without a sound. Checked once per topic per transport.
 */
import { ConfigurationError } from '@tidings/core';
import type { Redis } from 'ioredis';
import { partitionCountKey } from './lanes.ts';

export interface PartitionCounts {
  /** Resolves once each topic is known to use this transport's count; rejects if one does not. */
  check(topics: Iterable<string>): Promise<void>;
}

export function partitionCounts(redis: Redis, prefix: string, partitions: number): PartitionCounts {
  const checked = new Set<string>();
  return {
    async check(topics) {
      const unknown = [...topics].filter((topic) => !checked.has(topic));
      if (unknown.length === 0) return;
      const pipeline = redis.pipeline();
      for (const topic of unknown) {
        pipeline.call('SET', partitionCountKey(prefix, topic), String(partitions), 'NX', 'GET');
      }
      const results = (await pipeline.exec()) ?? [];
      for (const [i, topic] of unknown.entries()) {
        const [error, recorded] = results[i] ?? [new Error('no reply')];
        if (error) throw error;
        if (recorded !== null && recorded !== undefined && String(recorded) !== String(partitions)) {
          throw new ConfigurationError(
            `Redis transport option partitions is ${partitions}, but topic "${topic}" already uses ${String(recorded)} (key ${partitionCountKey(prefix, topic)}): use the same count in every process of the topic.`,
          );
        }
        checked.add(topic);
      }
    },
  };
}
