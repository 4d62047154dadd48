/**
 * Rate-limits error reports of a loop that keeps going through an outage (a broker or
 * database down), so `onError` hears of the outage at once and then about once per
 * interval, with a count of what it did not hear, instead of once per round.
 */
import { errorMessage } from '../errors/errors.ts';
import { TidingsError } from '../errors/tidings-error.ts';

/** Stands for the reports of one key that an interval held back; `cause` is the latest. */
export class RepeatedFailureError extends TidingsError {
  static override readonly code: string = 'TIDINGS_REPEATED_FAILURE';
  readonly suppressed: number;
  constructor(key: string, suppressed: number, cause: unknown) {
    super(`${key}: ${suppressed} more failures since the last report; latest: ${errorMessage(cause)}`, {
      cause,
    });
    this.suppressed = suppressed;
  }
}

export interface ErrorThrottle {
  /** Reports `error` now, or counts it when `key` was reported less than an interval ago. */
  report(key: string, error: unknown): void;
}

export function createErrorThrottle(
  onError: (error: unknown) => void,
  intervalMs: number,
  clock: () => number,
): ErrorThrottle {
  const last = new Map<string, { at: number; suppressed: number }>();
  return {
    report(key, error) {
      const now = clock();
      const seen = last.get(key);
      if (seen && now - seen.at < intervalMs) {
        seen.suppressed += 1;
        return;
      }
      last.set(key, { at: now, suppressed: 0 });
      onError(
        seen && seen.suppressed > 0 ? new RepeatedFailureError(key, seen.suppressed + 1, error) : error,
      );
    },
  };
}
