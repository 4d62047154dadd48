/**
 * Retry decision step: turns a failure into an outcome with the one rule, `nextAttemptAt`:
 * `DoNotRetry` or an exhausted `handler.retry` is dead, `RetryLater` sets the delay,
 * otherwise exponential backoff with jitter. A failure anywhere inside (decode, inbox
 * transaction, COMMIT, timeout, handler) is judged alike.
 */
import { failedOutcome, nextAttemptAt, type Outcome } from '../outcome.ts';
import type { StepFactory } from '../run.ts';

export function retryStep(clock: () => number, random: (() => number) | undefined): StepFactory<unknown> {
  // `.then(undefined, …)`, not an async function: one promise per run instead of two or three.
  return (next) => (run) => {
    let outcome: Promise<Outcome>;
    try {
      outcome = next(run);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    return outcome.then(undefined, (error: unknown) =>
      failedOutcome(error, nextAttemptAt(error, run.attempt, run.handler.retry, clock(), random)),
    );
  };
}
