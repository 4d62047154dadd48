/**
 * The default `onError`: one line per second per kind of error, the held-back count on the
 * next line, kinds independent of each other.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createErrorReporter } from './report-error.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('createErrorReporter', () => {
  it('logs at most one line per second per kind, then says how many it held back', () => {
    vi.useFakeTimers({ now: 0 });
    const lines: unknown[][] = [];
    const report = createErrorReporter('[tidings/rabbitmq]', (...args) => lines.push(args));
    const lost = new Error('connection lost');
    for (let i = 0; i < 5; i++) report(lost);
    report(new TypeError('other kind'));
    expect(lines).toEqual([
      ['[tidings/rabbitmq]', lost],
      ['[tidings/rabbitmq]', expect.any(TypeError)],
    ]);
    vi.setSystemTime(1_000);
    report(lost);
    expect(lines[2]).toEqual(['[tidings/rabbitmq]', lost, '(4 more like it in the last second)']);
  });
});
