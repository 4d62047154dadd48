import { ConfigurationError } from '@tidings/core';
import { describe, expect, it } from 'vitest';
import { validateSubscribeRequest } from './subscribe-request.ts';

describe('validateSubscribeRequest', () => {
  it('defaults concurrency to 1', () => {
    expect(validateSubscribeRequest('tidings', { group: 'g', topics: ['a'] })).toEqual({
      group: 'g',
      topics: ['a'],
      concurrency: 1,
    });
  });

  it('names the field, the value and the reason of a bad request', () => {
    const cases: [Parameters<typeof validateSubscribeRequest>[1], RegExp][] = [
      [{ group: '', topics: ['a'] }, /group is "": pass a non-empty string/],
      [{ group: 'g', topics: [] }, /topics is \[\]: pass at least one topic/],
      [{ group: 'g', topics: ['a', 'a'] }, /list each topic once/],
      [{ group: 'g', topics: ['a b'] }, /topic "a b" is not a valid subject part/],
      [{ group: 'g', topics: ['a._1'] }, /reserved: tokens "_<digits>"/],
      [{ group: 'g', topics: ['a'], concurrency: 0 }, /concurrency is 0: pass an integer from 1/],
    ];
    for (const [request, message] of cases) {
      expect(() => validateSubscribeRequest('tidings', request)).toThrowError(ConfigurationError);
      expect(() => validateSubscribeRequest('tidings', request)).toThrowError(message);
    }
  });
});
