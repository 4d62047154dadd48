/**
 * Reads what a rejected handler asked for: a redelivery delay (`retryDelayMs` on the error,
 * or `delayMs` on `RetryLater`) or no retry at all (`DoNotRetry`).
 */
import { DoNotRetry, RetryLater } from '@tidings/core';

/** The delay (ms) the error asks for, or `undefined` when it asks for none. */
export function requestedDelayMs(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const own = (error as { retryDelayMs?: unknown }).retryDelayMs;
  if (typeof own === 'number' && Number.isFinite(own) && own >= 0) return own;
  if (RetryLater.is(error) && Number.isFinite(error.delayMs) && error.delayMs >= 0) return error.delayMs;
  return undefined;
}

/** True when the handler said retrying cannot help. */
export function isFinalFailure(error: unknown): boolean {
  return DoNotRetry.is(error);
}
