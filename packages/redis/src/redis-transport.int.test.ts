/**
 * Redis-specific behaviour the shared contract does not cover: the `maxDeliveries`
 * backstop, a long handler keeping its partition, the partition count agreed per topic,
 * where a new group starts, a clear error for a wrong URL, and approximate trimming.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ConfigurationError, TransportError, type TransportMessage } from '@tidings/core';
import { waitUntil } from '@tidings/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import type { RedisTransportOptions } from './options.ts';
import { createRedisTransport, type RedisTransport } from './redis-transport.ts';

const url = 'redis://127.0.0.1:6379';
const prefix = `tc-redis-${randomBytes(4).toString('hex')}:`;
const unique = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  const redis = new Redis(url);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

async function open(options: Partial<RedisTransportOptions> = {}): Promise<RedisTransport> {
  const transport = await createRedisTransport({
    connection: url,
    prefix,
    leaseMs: 900,
    blockMs: 200,
    ...options,
  });
  onTestFinished(() => transport.close());
  return transport;
}

function message(topic: string, n: number, key = `k-${n}`): TransportMessage {
  return { id: randomUUID(), topic, key, headers: { 'ce-type': topic }, body: Buffer.from(`{"n":${n}}`) };
}

async function pendingOf(redis: Redis, topic: string, group: string, partitions: number): Promise<number> {
  let total = 0;
  for (let n = 0; n < partitions; n++) {
    const [count] = (await redis.call('XPENDING', `${prefix}${topic}:${n}`, group)) as [number];
    total += count;
  }
  return total;
}

describe('Redis transport', () => {
  it('acks unhandled, and reports, an entry delivered more than maxDeliveries times (the backstop)', async () => {
    const errors: unknown[] = [];
    const transport = await open({ maxDeliveries: 3, partitions: 2, onError: (e) => errors.push(e) });
    const topic = unique('backstop');
    const group = unique('g');
    const attempts: number[] = [];
    await transport.subscribe({ group, topics: [topic] }, async (m) => {
      attempts.push(m.deliveryCount);
      throw new Error('always fails');
    });
    await transport.publish([message(topic, 1)]);
    await waitUntil(() => errors.length > 0, 'the backstop report');
    expect(attempts).toEqual([1, 2, 3]);
    expect(TransportError.is(errors[0])).toBe(true);
    expect(String((errors[0] as Error).message)).toMatch(/maxDeliveries 3/);
    expect(await pendingOf(transport.redis, topic, group, 2)).toBe(0);
    // Not deleted: it stays in its stream for inspection.
    const lengths = await Promise.all([0, 1].map((n) => transport.redis.xlen(`${prefix}${topic}:${n}`)));
    expect(lengths.reduce((sum, n) => sum + n, 0)).toBe(1);
  });

  it('keeps a long-running entry with its member: the lease is renewed, nobody takes it over', async () => {
    const [a, b] = [await open(), await open()];
    const topic = unique('long');
    const group = unique('g');
    const seen: number[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handler = async (m: { deliveryCount: number }) => {
      seen.push(m.deliveryCount);
      await released;
    };
    await a.subscribe({ group, topics: [topic] }, handler);
    await b.subscribe({ group, topics: [topic] }, handler);
    await a.publish([message(topic, 1)]);
    await waitUntil(() => seen.length === 1, 'the first delivery');
    // Proving an absence needs time to pass: more than two lease times (900 ms) go by while
    // the handler holds the entry, and no member may take it over.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    release();
    expect(seen).toEqual([1]);
  });

  it('refuses a partition count that differs from the one the topic already uses', async () => {
    const topic = unique('count');
    const four = await open({ partitions: 4 });
    await four.publish([message(topic, 1)]);
    const two = await open({ partitions: 2 });
    const published = two.publish([message(topic, 2)]);
    await expect(published).rejects.toThrow(ConfigurationError);
    await expect(published).rejects.toThrow(/partitions is 2, but topic "[^"]+" already uses 4/);
    await expect(
      two.subscribe({ group: unique('g'), topics: [topic] }, async () => undefined),
    ).rejects.toThrow(/already uses 4/);
  });

  it('starts a new group at the earliest entry by default, and at new ones with startFrom latest', async () => {
    const topic = unique('start');
    const earliest = await open();
    const latest = await open({ startFrom: 'latest' });
    const before = message(topic, 1);
    await earliest.publish([before]);
    const early: string[] = [];
    const late: string[] = [];
    await earliest.subscribe({ group: unique('early'), topics: [topic] }, async (m) => void early.push(m.id));
    await latest.subscribe({ group: unique('late'), topics: [topic] }, async (m) => void late.push(m.id));
    const after = message(topic, 2);
    await earliest.publish([after]);
    await waitUntil(() => early.length === 2 && late.length === 1, 'both groups');
    expect(early.sort()).toEqual([before.id, after.id].sort());
    expect(late).toEqual([after.id]);
  });

  it('fails at creation with a clear error for a server that is not there, without the password', async () => {
    const created = createRedisTransport({ connection: 'redis://app:s3cret@127.0.0.1:1' });
    await expect(created).rejects.toThrow(TransportError);
    const error = (await created.catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('redis://app@127.0.0.1:1');
    expect(error.message).not.toContain('s3cret');
  });

  it('refuses bad options and bad subscribe requests with the field named', async () => {
    await expect(createRedisTransport({ connection: url, partitions: 0 })).rejects.toThrow(/partitions is 0/);
    await expect(createRedisTransport({ connection: url, leaseMs: 900, blockMs: 2_000 })).rejects.toThrow(
      /blockMs is 2000/,
    );
    await expect(createRedisTransport({ connection: 42 as never })).rejects.toThrow(/connection is 42/);
    const transport = await open();
    const noop = async () => undefined;
    await expect(transport.subscribe({ group: '', topics: ['t'] }, noop)).rejects.toThrow(/group is ""/);
    await expect(transport.subscribe({ group: 'g', topics: [] }, noop)).rejects.toThrow(/topics is \[\]/);
    await expect(transport.subscribe({ group: 'g', topics: ['t:3'] }, noop)).rejects.toThrow(/"t:3"/);
    await expect(transport.subscribe({ group: 'g', topics: ['t'], concurrency: 0 }, noop)).rejects.toThrow(
      /concurrency is 0/,
    );
  });

  it('trims streams approximately to maxLen', async () => {
    const transport = await open({ maxLen: 10, partitions: 1 });
    const topic = unique('trim');
    for (let round = 0; round < 3; round++) {
      await transport.publish(Array.from({ length: 200 }, (_, n) => message(topic, n)));
    }
    // `~` trims whole radix-tree nodes (100 entries by default), never below maxLen.
    const length = await transport.redis.xlen(`${prefix}${topic}:0`);
    expect(length).toBeGreaterThanOrEqual(10);
    expect(length).toBeLessThan(300);
  });
});
