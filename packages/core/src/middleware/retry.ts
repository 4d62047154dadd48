/**
 * Retry middleware: tries a handler up to `maxAttempts` times with exponential backoff and
 * jitter. `DoNotRetry` stops at once; `RetryLater` sets the next delay itself. The last
 * error is rethrown unchanged.
 */

import { withAttempt } from '../bus/context.ts';
import type { Handler } from '../bus/handler.ts';
import { DoNotRetry, RetryLater } from '../errors/errors.ts';
import { backoffDelay, type RetryPolicy, resolvePolicy } from './backoff.ts';
import type { Middleware } from './middleware.ts';

export interface RetryOptions extends RetryPolicy {
  /** Waits between attempts; injectable so tests need no real time. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly random?: () => number;
  /** Called before each retry. */
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * @example
 * bus.subscribe('send-email', OrderPlaced, retry({ maxAttempts: 3, baseDelayMs: 50 })(sendEmail));
 */
export function retry(options: RetryOptions = {}): Middleware {
  const policy = resolvePolicy(options);
  const wait = options.sleep ?? sleep;
  return <E extends Parameters<Handler>[0]>(next: Handler<E>): Handler<E> =>
    async (event, context) => {
      for (let attempt = context.attempt; ; attempt++) {
        try {
          return await next(event, attempt === context.attempt ? context : withAttempt(context, attempt));
        } catch (error) {
          if (DoNotRetry.is(error) || attempt >= policy.maxAttempts || context.signal.aborted) throw error;
          const delayMs = RetryLater.is(error)
            ? error.delayMs
            : backoffDelay(attempt, policy, options.random);
          options.onRetry?.({ attempt, delayMs, error });
          await wait(delayMs, context.signal);
        }
      }
    };
}
