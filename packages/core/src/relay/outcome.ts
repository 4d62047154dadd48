/**
 * What happens after a delivery failed: when to try again, or dead-letter. One rule for
 * durable handlers, transport routes and the consumer runtime.
 */
import { DoNotRetry, errorMessage, RetryLater } from '../errors/errors.ts';
import { backoffDelay, type RetryPolicy, resolvePolicy } from '../middleware/backoff.ts';

/** The retry time (ms since epoch) after failed attempt `attempt`, or null to dead-letter. */
export function nextAttemptAt(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
  now: number,
  random: () => number = Math.random,
): number | null {
  if (DoNotRetry.is(error) || attempt >= resolvePolicy(policy).maxAttempts) return null;
  return now + (RetryLater.is(error) ? error.delayMs : backoffDelay(attempt, policy, random));
}

/** A failure as people read it in the dead-letter list: code when there is one, then message. */
export function describeFailure(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const text = errorMessage(error);
  return (typeof code === 'string' && !text.startsWith(code) ? `${code}: ${text}` : text).slice(0, 4000);
}
