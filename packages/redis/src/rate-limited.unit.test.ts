import { describe, expect, it, vi } from 'vitest';
import { rateLimited, redacted } from './rate-limited.ts';

describe('the default onError', () => {
  it('prints one error per kind per interval and says how many it held back', () => {
    vi.useFakeTimers();
    try {
      const printed: unknown[] = [];
      const onError = rateLimited((error) => printed.push(error), 1_000);
      for (let i = 0; i < 5; i++) onError(new Error(`down ${i}`));
      onError(new TypeError('other kind'));
      expect(printed.map((e) => (e as Error).message)).toEqual(['down 0', 'other kind']);
      vi.advanceTimersByTime(1_001);
      onError(new Error('down again'));
      expect(printed.map((e) => (e as Error).message).slice(2)).toEqual([
        '4 more errors of the next kind were held back (at most one per second is printed)',
        'down again',
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('drops the password of any Redis URL in a message', () => {
    expect(redacted('connect to redis://app:s3cret@cache:6379/0 failed')).toBe(
      'connect to redis://app@cache:6379/0 failed',
    );
  });
});
