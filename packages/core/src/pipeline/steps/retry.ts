/**
 * Retry decision step: turns a failure into an outcome with the one rule, `nextAttemptAt`:
 * `DoNotRetry` or an exhausted `handler.retry` is dead, `RetryLater` sets the delay,
 * otherwise exponential backoff with jitter. A failure anywhere inside (decode, inbox
 * transaction, COMMIT, timeout, handler) is judged alike.
 */
import { failedOutcome, nextAttemptAt } from '../outcome.ts';
import type { StepFactory } from '../run.ts';

export function retryStep(clock: () => number, random: (() => number) | undefined): StepFactory<unknown> {
  return (next) => async (run) => {
    try {
      return await next(run);
    } catch (error) {
      return failedOutcome(error, nextAttemptAt(error, run.attempt, run.handler.retry, clock(), random));
    }
  };
}
