/**
 * How long to wait before retrying a rejected message: what the handler asked for
 * (`RetryLater`'s `delayMs`, or any error's `retryDelayMs`), else the policy's backoff.
 */
import { backoffDelay, RetryLater, type RetryPolicy } from '@tidings/core';

export function retryDelayOf(error: unknown, attempt: number, policy: RetryPolicy): number {
  if (RetryLater.is(error)) return Math.max(0, error.delayMs);
  const asked = (error as { retryDelayMs?: unknown } | null)?.retryDelayMs;
  if (typeof asked === 'number' && Number.isFinite(asked)) return Math.max(0, asked);
  return backoffDelay(attempt, policy);
}

/** Resolves after `ms`, or at once with `false` when `signal` aborts. */
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
