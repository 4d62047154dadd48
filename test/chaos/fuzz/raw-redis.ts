/** Hostile entries written with ioredis straight into the stream the consumer reads. */
import { Redis } from 'ioredis';
import { asText, fuzzTopic, type RawSender } from './raw-sender.ts';

export async function redisSender(runId: string): Promise<RawSender> {
  const redis = new Redis(process.env.REDIS_URL as string);
  const prefix = `chaos-${runId}:`;
  return {
    huge: 2 * 1024 * 1024,
    async send(batch) {
      const pipeline = redis.pipeline();
      for (const m of batch) {
        const fields: (string | Buffer)[] = ['key', m.key, 'body', m.body];
        for (const [name, value] of Object.entries(m.headers)) fields.push(`h:${name}`, asText(value));
        // Some entries without a body field or with an unpaired field, as a careless producer writes.
        if (m.kind === 'random bytes' && m.body.length % 3 === 0) fields.splice(2, 2);
        pipeline.xadd(`${prefix}${fuzzTopic}`, '*', ...fields);
      }
      await pipeline.exec();
    },
    transportDeadLetters: (group) => redis.xlen(`${prefix}deadletter:${group}`),
    async close() {
      await redis.quit();
    },
  };
}
