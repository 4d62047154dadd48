/**
 * Redis-specific behaviour the shared contract does not cover: dead letters with their
 * reason, a long handler keeping its entry from take-over, and approximate trimming.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DoNotRetry, type ReceivedMessage, type TransportMessage } from '@tidings/core';
import { deadLetterHeaders } from '@tidings/core/spi';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { deadLetterTopic } from './dead-letter.ts';
import type { RedisTransportOptions } from './options.ts';
import { createRedisTransport, type RedisTransport } from './redis-transport.ts';

const url = 'redis://127.0.0.1:6379';
const streamPrefix = `tc-redis-${randomBytes(4).toString('hex')}:`;
const unique = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  const redis = new Redis(url);
  const keys = await redis.keys(`${streamPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

function open(options: Partial<RedisTransportOptions> = {}): RedisTransport {
  const transport = createRedisTransport({ url, streamPrefix, claimIdleMs: 300, blockMs: 500, ...options });
  onTestFinished(() => transport.close());
  return transport;
}

function message(topic: string, n: number): TransportMessage {
  return {
    id: randomUUID(),
    topic,
    key: `k-${n}`,
    headers: { 'ce-type': topic },
    body: Buffer.from(`{"n":${n}}`),
  };
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Redis transport', () => {
  it('dead-letters after maxDeliveries with the reason, and the dead letter is subscribable', async () => {
    const transport = open({ maxDeliveries: 3 });
    const topic = unique('dl');
    const group = unique('g');
    const attempts: number[] = [];
    await transport.subscribe({ group, topics: [topic] }, async (m) => {
      attempts.push(m.deliveryCount);
      throw new Error('always fails');
    });
    const dead: ReceivedMessage[] = [];
    await transport.subscribe({ group: unique('dlq'), topics: [deadLetterTopic(group)] }, async (m) => {
      dead.push(m);
    });
    const sent = message(topic, 1);
    await transport.publish([sent]);
    await until(() => dead.length === 1, 'the dead letter');
    expect(attempts).toEqual([1, 2, 3]);
    const letter = dead[0] as ReceivedMessage;
    expect(letter.id).toBe(sent.id);
    expect(letter.key).toBe(sent.key);
    expect(letter.headers[deadLetterHeaders.reason]).toContain('always fails');
    expect(letter.headers[deadLetterHeaders.topic]).toBe(topic);
    expect(letter.headers[deadLetterHeaders.attempts]).toBe('3');
    const pending = (await transport.redis.call('XPENDING', `${streamPrefix}${topic}`, group)) as [number];
    expect(pending[0]).toBe(0);
  });

  it('dead-letters at once when the handler throws DoNotRetry', async () => {
    const transport = open();
    const topic = unique('final');
    const group = unique('g');
    let calls = 0;
    await transport.subscribe({ group, topics: [topic] }, async () => {
      calls++;
      throw new DoNotRetry('malformed order');
    });
    await transport.publish([message(topic, 1)]);
    const dlq = `${streamPrefix}${deadLetterTopic(group)}`;
    let length = 0;
    const deadline = Date.now() + 10_000;
    while (length === 0 && Date.now() < deadline) {
      length = await transport.redis.xlen(dlq);
      if (length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(length).toBe(1);
    expect(calls).toBe(1);
  });

  it('keeps a long-running entry from being taken over by another member', async () => {
    const [a, b] = [open(), open()];
    const topic = unique('long');
    const group = unique('g');
    const seen: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handler = (who: string) => async () => {
      seen.push(who);
      await released;
    };
    await a.subscribe({ group, topics: [topic] }, handler('a'));
    await b.subscribe({ group, topics: [topic] }, handler('b'));
    await a.publish([message(topic, 1)]);
    await until(() => seen.length === 1, 'the first delivery');
    // Proving an absence needs time to pass: several claim rounds (claimIdleMs 300, one every
    // 150 ms) run while the handler holds the entry, and none may take it over.
    const idle = await new Promise<number>((resolve) =>
      setTimeout(async () => {
        const rows = (await a.redis.call('XPENDING', `${streamPrefix}${topic}`, group, '-', '+', 10)) as [
          string,
          string,
          number,
          number,
        ][];
        resolve(rows[0]?.[3] ?? -1);
      }, 1500),
    );
    release();
    expect(seen).toHaveLength(1);
    expect(idle).toBe(1);
  });

  it('trims streams approximately to maxLen', async () => {
    const transport = open({ maxLen: 10 });
    const topic = unique('trim');
    for (let round = 0; round < 3; round++) {
      await transport.publish(Array.from({ length: 200 }, (_, n) => message(topic, n)));
    }
    // `~` trims whole radix-tree nodes (100 entries by default), never below maxLen.
    const length = await transport.redis.xlen(`${streamPrefix}${topic}`);
    expect(length).toBeGreaterThanOrEqual(10);
    expect(length).toBeLessThan(300);
  });
});
