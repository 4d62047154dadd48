/**
 * Runs work inside a started span and ends the span with the outcome: OK is left unset
 * (as the conventions ask), a failure records the exception, sets ERROR and `error.type`.
 * Synchronous work stays synchronous, so it can wrap `publishSync` handlers too.
 */
import { type Context, context, type Span, SpanStatusCode } from '@opentelemetry/api';
import { attr, errorType } from './attributes.ts';

export interface SpanOutcome {
  /** Called once the work settled: `error` is undefined on success. */
  readonly onEnd?: (error: unknown) => void;
}

function fail(span: Span, error: unknown): void {
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
  span.setAttribute(attr.errorType, errorType(error));
  if (error instanceof Error) span.recordException(error);
}

/** Runs `work` in `active` (a context holding `span`), ending the span when the work settles. */
export function runInSpan<T>(span: Span, active: Context, work: () => T, outcome: SpanOutcome = {}): T {
  const settle = (error: unknown, failed: boolean) => {
    if (failed) fail(span, error);
    span.end();
    outcome.onEnd?.(failed ? (error ?? new Error('undefined was thrown')) : undefined);
  };
  let result: T;
  try {
    result = context.with(active, work);
  } catch (error) {
    settle(error, true);
    throw error;
  }
  if (result instanceof Promise) {
    return result.then(
      (value) => {
        settle(undefined, false);
        return value;
      },
      (error: unknown) => {
        settle(error, true);
        throw error;
      },
    ) as T;
  }
  settle(undefined, false);
  return result;
}
