/**
 * Retry policy and exponential backoff with full jitter. Shared by the retry middleware,
 * the outbox relay and the consumer runtime, so a policy means the same thing everywhere.
 */

export interface RetryPolicy {
  /** Total tries including the first. Default 5. */
  readonly maxAttempts?: number;
  /** Delay before the second try, before jitter. Default 100 ms. */
  readonly baseDelayMs?: number;
  /** Upper bound of any delay. Default 30 s. */
  readonly maxDelayMs?: number;
  /** Growth per attempt. Default 2. */
  readonly factor?: number;
  /** `'full'` draws the delay uniformly from [0, computed]; `'none'` uses it as is. Default `'full'`. */
  readonly jitter?: 'full' | 'none';
}

export const defaultRetryPolicy: Required<RetryPolicy> = {
  maxAttempts: 5,
  baseDelayMs: 100,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: 'full',
};

export function resolvePolicy(policy: RetryPolicy = {}): Required<RetryPolicy> {
  return { ...defaultRetryPolicy, ...policy };
}

/**
 * The delay after failed attempt number `attempt` (1-based).
 *
 * @example
 * backoffDelay(3, { baseDelayMs: 100, jitter: 'none' }); // 400
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy = {},
  random: () => number = Math.random,
): number {
  const p = resolvePolicy(policy);
  const raw = Math.min(p.maxDelayMs, p.baseDelayMs * p.factor ** Math.max(0, attempt - 1));
  return p.jitter === 'full' ? Math.floor(random() * raw) : raw;
}
