/**
 * Hostile entries written with ioredis straight into the streams the consumer reads: half
 * into the plain stream `<prefix><topic>` (where foreign producers write), half into the
 * partition stream `<prefix><topic>:<n>` their key hashes to, as the transport routes.
 */
import { Redis } from 'ioredis';
import { partitionOf, partitionStream } from '../../../packages/redis/src/lanes.ts';
import { asText, fuzzTopic, type RawSender } from './raw-sender.ts';

export async function redisSender(runId: string): Promise<RawSender> {
  const redis = new Redis(process.env.REDIS_URL as string);
  const prefix = `chaos-${runId}:`;
  // The transport's default partition count (packages/redis/src/options.ts); brokers.ts keeps it.
  const partitions = 8;
  let n = 0;
  return {
    huge: 2 * 1024 * 1024,
    async send(batch) {
      const pipeline = redis.pipeline();
      for (const m of batch) {
        const fields: (string | Buffer)[] = ['key', m.key, 'body', m.body];
        for (const [name, value] of Object.entries(m.headers)) fields.push(`h:${name}`, asText(value));
        // Some entries without a body field or with an unpaired field, as a careless producer writes.
        if (m.kind === 'random bytes' && m.body.length % 3 === 0) fields.splice(2, 2);
        n += 1;
        const stream =
          n % 2 === 0
            ? `${prefix}${fuzzTopic}`
            : partitionStream(prefix, fuzzTopic, partitionOf(m.key, m.key, partitions));
        pipeline.xadd(stream, '*', ...fields);
      }
      await pipeline.exec();
    },
    async close() {
      await redis.quit();
    },
  };
}
