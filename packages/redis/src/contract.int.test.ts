/**
 * The shared transport contract against Redis on 127.0.0.1:6379. Every stream of the run
 * shares one unique prefix and is deleted afterwards.
 */
import { randomBytes } from 'node:crypto';
import { runTransportContract } from '@tidings/testing';
import * as sdk from 'cloudevents';
import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
import { createRedisRawWire } from '../test/raw-wire.ts';
import { createRedisTransport, type RedisTransport, redisFeatures } from './redis-transport.ts';

const url = 'redis://127.0.0.1:6379';
const prefix = `tc-contract-${randomBytes(4).toString('hex')}:`;

const raw = createRedisRawWire(url, prefix);

afterAll(async () => {
  await raw.close();
  const redis = new Redis(url);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

runTransportContract({
  name: 'redis (Streams)',
  features: redisFeatures,
  // A short lease so a crashed member's partitions are taken over within the suite's timeout.
  create: () => createRedisTransport({ connection: url, prefix, leaseMs: 1200, blockMs: 300 }),
  // Every connection goes away at once and none reconnects: nothing is acked or drained.
  crash: async (transport) => {
    for (const connection of (transport as RedisTransport).connections()) connection.disconnect(false);
  },
  // From outside: the server kills the transport's connections; ioredis must reconnect.
  dropConnection: async (transport) => {
    const name = (transport as RedisTransport).redis.options.connectionName;
    const admin = new Redis(url);
    try {
      const list = (await admin.call('CLIENT', 'LIST')) as string;
      const ids = list
        .split('\n')
        .filter((line) => line.includes(` name=${name} `))
        .map((line) => /(?:^|\s)id=(\d+)/.exec(line)?.[1]);
      if (ids.length === 0) throw new Error(`no connection named ${name} to drop`);
      for (const id of ids) if (id) await admin.call('CLIENT', 'KILL', 'ID', id);
    } finally {
      await admin.quit();
    }
  },
  interop: { sdk, raw },
});
