/**
 * Publishes with one pipelined round trip of XADDs (Redis answers ~69k/s this way) and
 * resolves only when every XADD replied with an entry id.
 */
import { TransportError, type TransportMessage } from '@tidings/core';
import { errorMessage } from '@tidings/core/spi';
import type { Redis } from 'ioredis';
import { entryFields, streamName } from './entry.ts';

export async function publishAll(
  redis: Redis,
  prefix: string,
  maxLen: number | undefined,
  messages: readonly TransportMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  const trim = maxLen === undefined ? [] : ['MAXLEN', '~', String(maxLen)];
  const pipeline = redis.pipeline();
  for (const message of messages) {
    pipeline.call('XADD', streamName(prefix, message.topic), ...trim, '*', ...entryFields(message));
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
