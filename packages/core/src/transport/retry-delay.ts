/**
 * Reads the redelivery delay a handler asked for from what it threw, so every transport
 * honours `RetryLater` (its `delayMs`) and any error carrying `retryDelayMs` alike.
 */
import { RetryLater } from '../errors/errors.ts';
import { backoffDelay, type RetryPolicy } from '../middleware/backoff.ts';

/**
 * The delay (ms, ≥ 0) `error` asks for before redelivery, or `undefined` for "at once".
 *
 * @example
 * retryDelayOf(new RetryLater('rate limited', 500)); // 500
 */
export function retryDelayOf(error: unknown): number | undefined {
  const ms = RetryLater.is(error)
    ? error.delayMs
    : typeof error === 'object' && error !== null
      ? (error as { retryDelayMs?: unknown }).retryDelayMs
      : undefined;
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/**
 * How long to wait before retrying a rejected message: what the handler asked for, else the
 * policy's backoff. Used by transports that retry in place (Kafka, SQS).
 */
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
