/**
 * The brokers a chaos run can go through: how a worker opens the transport, what the
 * transport declares about order, and how the runner removes what the run created.
 */

import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Transport, TransportFeatures } from '@tidings/core';
import { createNatsTransport, natsFeatures } from '@tidings/nats';
import { createRedisTransport, redisFeatures } from '@tidings/redis';
import { Redis } from 'ioredis';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const quiet = () => undefined;

export interface ChaosBroker {
  readonly features: TransportFeatures;
  open(runId: string): Promise<Transport>;
  cleanUp(runId: string): Promise<void>;
}

export const brokers: Record<string, ChaosBroker> = {
  redis: {
    features: redisFeatures,
    open: async (runId) =>
      createRedisTransport({
        url: redisUrl,
        streamPrefix: `chaos-${runId}:`,
        claimIdleMs: 2_000,
        onError: quiet,
      }),
    async cleanUp(runId) {
      const redis = new Redis(redisUrl);
      const keys = await redis.keys(`chaos-${runId}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  },
  nats: {
    features: natsFeatures,
    open: (runId) =>
      createNatsTransport({
        connection: natsUrl,
        stream: `CHAOS_${runId}`,
        prefix: `chaos-${runId}`,
        ackWaitMs: 2_000,
        onError: quiet,
      }),
    async cleanUp(runId) {
      const nc = await connect({ servers: natsUrl });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete(`CHAOS_${runId}`).catch(() => undefined);
      await jsm.streams.delete(`KV_CHAOS_${runId}_leases`).catch(() => undefined);
      await nc.close();
    },
  },
};

export function brokerNamed(name: string): ChaosBroker {
  const broker = brokers[name];
  if (!broker) throw new Error(`--broker ${name} is not one of ${Object.keys(brokers).join(', ')}`);
  return broker;
}
