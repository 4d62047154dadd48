/**
 * How long to wait before retrying a rejected message: what the handler asked for (core's
 * `retryDelayOf`: `RetryLater.delayMs` or an error's `retryDelayMs`), else the policy's backoff.
 */
import { backoffDelay, type RetryPolicy, retryDelayOf } from '@tidings/core';

export function nextRetryDelay(error: unknown, attempt: number, policy: RetryPolicy): number {
  return retryDelayOf(error) ?? backoffDelay(attempt, policy);
}

/** Resolves after `ms`, or at once with `false` when `signal` aborts (never rejects). */
export function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
