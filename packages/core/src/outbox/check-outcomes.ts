/**
 * The checks every store's delivery queue makes before it writes, so all stores refuse the
 * same input with the same words. `settle`: a retry needs a real time (a NaN or infinite
 * `retryAt` would be stored as NULL, which dead-letters, or fail as an SQL error).
 * `claim` and `extend`: a lease must be a positive, finite number of milliseconds (a NaN
 * lease would be stored as NULL, which reads as "not leased": two owners at once; a zero
 * one is reclaimable the moment it is taken).
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

export function checkLeaseMs(method: 'claim' | 'extend', leaseMs: number): void {
  if (typeof leaseMs !== 'number' || !Number.isFinite(leaseMs) || leaseMs <= 0) {
    throw new ConfigurationError(
      `${method}() needs leaseMs to be a positive number of milliseconds; got ${describeValue(leaseMs)}.`,
    );
  }
}
