/**
 * Reads the redelivery delay a handler asked for from what it threw, so every transport
 * honours `RetryLater` (its `delayMs`) and any error carrying `retryDelayMs` alike.
 */
import { RetryLater } from '../errors/errors.ts';

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
