/**
 * Deliveries waiting out a `RetryLater` delay count against the member's concurrency: it
 * reads no more entries than it has slots for, and holds no timer or message per entry
 * beyond them, however many entries the stream holds.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { RetryLater, type TransportMessage } from '@tidings/core';
import { waitUntil } from '@tidings/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { createRedisTransport } from './redis-transport.ts';

const url = 'redis://127.0.0.1:6379';
const prefix = `tc-redisretry-${randomBytes(4).toString('hex')}:`;

afterAll(async () => {
  const redis = new Redis(url);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const timeouts = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('Redis retry-waiting entries', () => {
  it('keeps 3 slots of RetryLater(60 s) entries out of 200 and stops reading', async () => {
    const transport = await createRedisTransport({
      connection: url,
      prefix,
      partitions: 1,
      leaseMs: 900,
      blockMs: 200,
    });
    onTestFinished(() => transport.close());
    const topic = `retry-${randomBytes(4).toString('hex')}`;
    const group = `g-${randomBytes(4).toString('hex')}`;
    const messages: TransportMessage[] = Array.from({ length: 200 }, (_, n) => ({
      id: randomUUID(),
      topic,
      key: `k-${n}`,
      headers: { 'ce-type': topic },
      body: Buffer.alloc(32 * 1024, n % 251),
    }));
    const calls: string[] = [];
    await transport.subscribe({ group, topics: [topic], concurrency: 3 }, async (m) => {
      calls.push(m.id);
      throw new RetryLater('not yet', 60_000);
    });
    const before = timeouts();
    await transport.publish(messages);
    await waitUntil(() => calls.length >= 3, 'three deliveries');
    // Proving an absence needs time: several read rounds (blockMs 200) and claim rounds.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(calls).toHaveLength(3);
    const redis = new Redis(url);
    onTestFinished(() => redis.quit().then(() => undefined));
    const [pending] = (await redis.call('XPENDING', `${prefix}${topic}:0`, group)) as [number];
    expect(pending).toBe(3);
    expect(timeouts() - before).toBeLessThanOrEqual(3 + 2);
  });
});
