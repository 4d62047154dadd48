import { ConfigurationError } from '@tidings/core';
import { describe, expect, it } from 'vitest';
import { consumerName, deadLetterTopic, subjectTopic, topicSubject } from './subjects.ts';

describe('NATS subject mapping', () => {
  it('puts topics under the prefix and reads them back', () => {
    expect(topicSubject('tidings', 'order.placed')).toBe('tidings.order.placed');
    expect(subjectTopic('tidings', 'tidings.order.placed')).toBe('order.placed');
  });

  it('rejects topics a subject cannot carry, saying why', () => {
    for (const bad of ['', 'a b', 'a.*', '>', 'a..b', '.a', 'a.', '_chunks.x']) {
      expect(() => topicSubject('tidings', bad)).toThrowError(ConfigurationError);
    }
  });

  it('encodes group names into distinct valid consumer names', () => {
    expect(consumerName('billing-v2')).toBe('billing-v2');
    expect(consumerName('a.b')).toBe('a_2eb');
    expect(consumerName('a_b')).not.toBe(consumerName('a.b'));
    expect(consumerName('a b/c')).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(deadLetterTopic('billing')).toBe('deadletter.billing');
    expect(() => consumerName('')).toThrowError(ConfigurationError);
  });
});
