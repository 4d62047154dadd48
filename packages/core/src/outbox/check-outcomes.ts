/**
 * The one check every store's `settle` makes before it writes: a retry needs a real time.
 * A NaN or infinite `retryAt` would be stored as NULL (which dead-letters) or fail as an SQL
 * error, so it is refused here, naming the delivery and what to pass instead.
 */
import { ConfigurationError } from '../errors/errors.ts';
import { describeValue } from '../errors/tidings-error.ts';
import type { DeliveryOutcome } from './delivery-queue.ts';

export function checkOutcomes(outcomes: readonly DeliveryOutcome[]): void {
  for (const outcome of outcomes) {
    if (outcome.outcome === 'retry' && !Number.isFinite(outcome.retryAt)) {
      throw new ConfigurationError(
        `settle() needs retryAt to be milliseconds since epoch for delivery ${outcome.eventId}/${outcome.consumer}; got ${describeValue(outcome.retryAt)}. Use outcome 'dead' to dead-letter.`,
      );
    }
  }
}
