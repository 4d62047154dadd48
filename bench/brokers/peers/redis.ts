/**
 * Redis Streams session: a key prefix of its own, consumer groups, XADD replies as the
 * durable acceptance (the server's own persistence settings apply to both sides). The raw
 * client pipelines XADDs and reads with XREADGROUP, acking each batch with one XACK. Every
 * key under the prefix is deleted on close.
 */
import { createRedisTransport } from '@tidings/redis';
import { Redis } from 'ioredis';
import { chunk, uniqueId } from '../fixture.ts';
import type { BrokerPeer, BrokerSession, RawSubscription } from '../peer.ts';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Entries read per XREADGROUP by the raw loop (the Tidings consumer's `concurrency`). */
export const redisReadCount = 64;

function toFields(m: {
  id: string;
  key: string;
  headers: Readonly<Record<string, string>>;
  body: Uint8Array;
}) {
  const fields: (string | Buffer)[] = ['id', m.id, 'key', m.key, 'body', Buffer.from(m.body)];
  for (const [name, value] of Object.entries(m.headers)) fields.push(`h:${name}`, value);
  return fields;
}

function fromFields(fields: Buffer[]) {
  const headers: Record<string, string> = {};
  let body: Uint8Array = new Uint8Array(0);
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = String(fields[i]);
    if (name === 'body') body = fields[i + 1] as Buffer;
    else if (name.startsWith('h:')) headers[name.slice(2)] = String(fields[i + 1]);
  }
  return { headers, body };
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

type Reply = [Buffer, [Buffer, Buffer[]][]][] | null;

async function openSession(): Promise<BrokerSession> {
  const prefix = `bench:${uniqueId()}:`;
  const rawStream = `${prefix}raw`;
  const redis = new Redis(url);
  const transports: { close(): Promise<void> }[] = [];

  return {
    async createTransport() {
      const transport = await createRedisTransport({ connection: url, prefix });
      transports.push(transport);
      return transport;
    },
    async rawPublish(messages) {
      await Promise.all(
        chunk(messages, 1000).map(async (slice) => {
          const pipeline = redis.pipeline();
          for (const m of slice) pipeline.call('XADD', rawStream, '*', ...toFields(m));
          const results = (await pipeline.exec()) ?? [];
          const failed = results.find(([error]) => error);
          if (failed) throw failed[0];
        }),
      );
    },
    async rawSubscribe(group, onMessage, options): Promise<RawSubscription> {
      await redis.call('XGROUP', 'CREATE', rawStream, group, '$', 'MKSTREAM').catch((error: Error) => {
        if (!error.message.includes('BUSYGROUP')) throw error;
      });
      const reader = redis.duplicate();
      let stopping = false;
      const loop = (async () => {
        while (!stopping) {
          const reply = (await reader.callBuffer(
            'XREADGROUP',
            'GROUP',
            group,
            'raw',
            'COUNT',
            redisReadCount,
            'BLOCK',
            100,
            'STREAMS',
            rawStream,
            '>',
          )) as Reply;
          const entries = reply?.[0]?.[1] ?? [];
          if (entries.length === 0) continue;
          if (options?.concurrent)
            await Promise.all(entries.map(([, fields]) => onMessage(fromFields(fields))));
          else
            for (const [, fields] of entries) {
              const handled = onMessage(fromFields(fields));
              if (handled) await handled;
            }
          await reader.call('XACK', rawStream, group, ...entries.map(([entryId]) => String(entryId)));
        }
      })();
      return {
        async close() {
          stopping = true;
          await loop;
          reader.disconnect();
        },
      };
    },
    async createSink() {
      // Streams keep every entry already; purging drops them (groups are recreated as needed).
      return { purge: () => deleteKeys(redis, prefix) };
    },
    async versions() {
      const info = String(await redis.info('server'));
      return { Redis: /redis_version:(\S+)/.exec(info)?.[1] ?? '?' };
    },
    async close() {
      for (const t of transports) await t.close();
      await deleteKeys(redis, prefix);
      redis.disconnect();
    },
  };
}

export const redisPeer: BrokerPeer = {
  id: 'redis',
  label: 'Redis Streams',
  emulated: false,
  slow: false,
  open: openSession,
};
