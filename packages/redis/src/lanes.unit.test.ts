import { ConfigurationError } from '@tidings/core';
import { describe, expect, it } from 'vitest';
import { checkTopic, hashKey, lanesOf, partitionOf } from './lanes.ts';
import { resolveRedisOptions } from './options.ts';

describe('partitions of a topic', () => {
  it('hashes keys with FNV-1a, the same in every process and version', () => {
    // Published FNV-1a 32-bit test vectors: a change here re-partitions existing streams.
    expect(hashKey('')).toBe(0x811c9dc5);
    expect(hashKey('a')).toBe(0xe40c292c);
    expect(hashKey('foobar')).toBe(0xbf9cf968);
  });

  it('puts one key in one partition and spreads keyless messages by id', () => {
    expect(partitionOf('Order:1', 'x', 8)).toBe(partitionOf('Order:1', 'y', 8));
    const keyless = new Set(Array.from({ length: 64 }, (_, n) => partitionOf('', `id-${n}`, 8)));
    expect(keyless.size).toBeGreaterThan(4);
  });

  it('lists the partition streams, then the plain stream a foreign producer writes', () => {
    expect(lanesOf('p:', 'Order', 2)).toEqual([
      { topic: 'Order', index: 0, stream: 'p:Order:0' },
      { topic: 'Order', index: 1, stream: 'p:Order:1' },
      { topic: 'Order', index: -1, stream: 'p:Order' },
    ]);
  });

  it('refuses topics that would share a stream or a coordination key with another', () => {
    expect(checkTopic('shop.Order', 'topic')).toBe('shop.Order');
    expect(() => checkTopic('Order:3', 'topic')).toThrow(ConfigurationError);
    expect(() => checkTopic('a~b', 'topic')).toThrow(/"a~b"/);
    expect(() => checkTopic('', 'topic')).toThrow(/topic ""/);
  });
});

describe('options', () => {
  it('defaults to the shared vocabulary', () => {
    expect(resolveRedisOptions({})).toMatchObject({
      prefix: 'tidings:',
      name: 'redis',
      maxDeliveries: 20,
      startFrom: 'earliest',
      partitions: 8,
      leaseMs: 10_000,
      blockMs: 2_000,
    });
  });

  it('names the field, the value and the reason', () => {
    expect(() => resolveRedisOptions({ maxDeliveries: 0 })).toThrow(
      /maxDeliveries is 0: pass an integer from 1/,
    );
    expect(() => resolveRedisOptions({ startFrom: 'first' as never })).toThrow(/startFrom is "first"/);
    expect(() => resolveRedisOptions({ leaseMs: 900, blockMs: 500 })).toThrow(
      /blockMs is 500.*third of leaseMs/,
    );
    expect(() => resolveRedisOptions({ prefix: 7 as never })).toThrow(/prefix is 7/);
  });
});
