import { describe, expect, it } from 'vitest';
import { delayBucket, groupNames, routingKeyOf, topicOf } from './names.ts';

describe('names', () => {
  it('escapes wildcards in routing keys and restores the topic', () => {
    for (const topic of ['order.placed', 'a.*.b', 'x.#', '100%', 'plain']) {
      const key = routingKeyOf(topic);
      expect(key.split('.').some((word) => word === '*' || word === '#')).toBe(false);
      expect(topicOf(key)).toBe(topic);
    }
    expect(routingKeyOf('order.placed')).toBe('order.placed');
  });

  it('refuses names RabbitMQ would refuse, saying which', () => {
    expect(() => routingKeyOf('')).toThrow(/must not be empty/);
    expect(() => routingKeyOf('x'.repeat(300))).toThrow(/over 255 bytes/);
    expect(() => groupNames('tidings', '')).toThrow(/must not be empty/);
  });

  it('rounds delays up to two significant digits', () => {
    expect([0, 1, 99, 101, 1234, 60_001].map(delayBucket)).toEqual([1, 1, 99, 110, 1300, 61_000]);
  });
});
