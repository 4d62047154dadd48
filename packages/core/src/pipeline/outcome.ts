/**
 * What became of one delivery in the pipeline, and the one retry rule that decides it. The
 * relay settles an outcome in its store; the consumer turns it into ack, reject with
 * `retryDelayMs`, or dead-letter sink + ack. Same rule for durable handlers, transport
 * routes and the consumer, so a retry policy means the same thing everywhere.
 */
import { DoNotRetry, errorMessage, RetryLater } from '../errors/errors.ts';
import { backoffDelay, type RetryPolicy, resolvePolicy } from '../middleware/backoff.ts';
import { errorCodeOf } from '../transport/dead-letter-format.ts';

export type Outcome =
  /** The handler succeeded, the inbox says it already had, or the event is not for it. */
  | { readonly kind: 'done' }
  /** Failed with budget left: try again no sooner than `at` (ms since epoch). */
  | { readonly kind: 'retry'; readonly at: number; readonly reason: string; readonly error: unknown }
  /** Give up: dead-letter with `reason` (for people) and `code` (for programs). */
  | {
      readonly kind: 'dead';
      readonly reason: string;
      readonly code: string | undefined;
      readonly error: unknown;
    }
  /** Not started (the source is shutting down): give the delivery back uncounted. */
  | { readonly kind: 'released' };

/** Shared instances: the common outcomes allocate nothing. */
export const done: Outcome = Object.freeze({ kind: 'done' });
export const released: Outcome = Object.freeze({ kind: 'released' });
/** `done`, already resolved: what a synchronous handler's run resolves with (steps may test for it). */
export const doneNow: Promise<Outcome> = Promise.resolve(done);

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

/**
 * An error whose dead letter names another code and reason than its own: a `DoNotRetry`
 * wrapper (e.g. an undecodable event) that must still read as the `TIDINGS_DECODE` or
 * `TIDINGS_VALIDATION` underneath, so the dead-letter list says what was wrong.
 */
export class ExplainedFailure extends DoNotRetry {
  readonly reason: string;
  readonly reasonCode: string | undefined;
  constructor(context: string, cause: unknown) {
    super(`${context}: ${errorMessage(cause)}`, { cause });
    this.reasonCode = errorCodeOf(cause);
    this.reason =
      describeFailure(cause) === errorMessage(cause) ? this.message : `${this.reasonCode}: ${this.message}`;
  }
}

/** The dead outcome of `error`. */
export function deadOf(error: unknown): Outcome {
  if (error instanceof ExplainedFailure)
    return { kind: 'dead', reason: error.reason.slice(0, 4000), code: error.reasonCode, error };
  return { kind: 'dead', reason: describeFailure(error), code: errorCodeOf(error), error };
}

/** Retry at `retryAt`, or dead when that is null. */
export function failedOutcome(error: unknown, retryAt: number | null): Outcome {
  if (retryAt === null) return deadOf(error);
  return { kind: 'retry', at: retryAt, reason: describeFailure(error), error };
}
