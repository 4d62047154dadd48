/**
 * Budget step: one retry budget per handler, `handler.retry.maxAttempts`. A failed attempt
 * spends one through the retry step; a delivery that arrives more often than the budget
 * allows had deliveries that ended without any outcome: its consumer died while handling it
 * (a poison message crashing the process, an OOM kill). Running it again would likely kill
 * the next consumer too, so it is dead-lettered without running the handler. This is what
 * lets transports keep no dead-letter policy of their own.
 */
import { TidingsError } from '../../errors/tidings-error.ts';
import { defaultRetryPolicy } from '../../middleware/backoff.ts';
import { deadOf } from '../outcome.ts';
import type { StepFactory } from '../run.ts';

/** A delivery came more times than its handler's retry budget without an outcome. */
export class DeliveryLimitError extends TidingsError {
  static override readonly code: string = 'TIDINGS_DELIVERY_LIMIT';
}

export const budgetStep: StepFactory<unknown> = (next) => (run) => {
  // Read, not resolved: `resolvePolicy` would allocate a merged policy per message.
  const maxAttempts = run.handler.retry.maxAttempts ?? defaultRetryPolicy.maxAttempts;
  if (run.attempt <= maxAttempts) return next(run);
  const error = new DeliveryLimitError(
    `Delivered ${run.attempt} times without an outcome (did the consumer die while handling it?); ` +
      `handler "${run.handler.name}" allows ${maxAttempts} attempts.`,
  );
  return Promise.resolve(deadOf(error));
};
