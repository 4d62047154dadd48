import { ConfigurationError } from '@tidings/core';
import { describe, expect, it } from 'vitest';
import { consumerName, laneDurableName, laneSubject, partitionOf, topicSubject } from './subjects.ts';

describe('NATS subject mapping', () => {
  it('puts topics and their lanes under the prefix', () => {
    expect(topicSubject('tidings', 'order.placed')).toBe('tidings.order.placed');
    expect(laneSubject('tidings', 'order.placed', 3)).toBe('tidings.order.placed._3');
    expect(laneDurableName('billing', 'order.placed', 3)).toBe('billing__order_2eplaced__p3');
  });

  it('routes a key by FNV-1a 32 of its UTF-8 bytes, the published test vectors', () => {
    // 0x811c9dc5, 0xe40c292c, 0xbf9cf968: what any FNV-1a implementation gives.
    expect(partitionOf('', 2 ** 31)).toBe(0x811c9dc5 % 2 ** 31);
    expect(partitionOf('a', 1024)).toBe(0xe40c292c % 1024);
    expect(partitionOf('foobar', 1000)).toBe(0xbf9cf968 % 1000);
    expect(partitionOf('Bestellung:ü', 8)).toBe(partitionOf('Bestellung:ü', 8));
  });

  it('rejects topics a subject cannot carry, saying why', () => {
    for (const bad of ['', 'a b', 'a.*', '>', 'a..b', '.a', 'a.', '_chunks.x', 'order._3', '_12']) {
      expect(() => topicSubject('tidings', bad)).toThrowError(ConfigurationError);
    }
  });

  it('encodes group names into distinct valid consumer names', () => {
    expect(consumerName('billing-v2')).toBe('billing-v2');
    expect(consumerName('a.b')).toBe('a_2eb');
    expect(consumerName('a_b')).not.toBe(consumerName('a.b'));
    expect(consumerName('a b/c')).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(() => consumerName('')).toThrowError(ConfigurationError);
  });
});
