/**
 * The concrete error kinds. Each says what was wrong, with the offending value, and what to do.
 */
import { TidingsError, type TidingsErrorOptions } from './tidings-error.ts';

export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
  readonly value: unknown;
}

/** A payload or envelope failed its schema. `issues` lists each failing path. */
export class ValidationError extends TidingsError {
  static override readonly code: string = 'TIDINGS_VALIDATION';
  readonly eventType: string;
  readonly issues: readonly ValidationIssue[];
  constructor(
    message: string,
    eventType: string,
    issues: readonly ValidationIssue[],
    options?: TidingsErrorOptions,
  ) {
    super(message, { ...options, details: { eventType, issues } });
    this.eventType = eventType;
    this.issues = issues;
  }
}

/** Bytes or a message could not be decoded into an event envelope. */
export class DecodeError extends TidingsError {
  static override readonly code: string = 'TIDINGS_DECODE';
}

/** A message names an event type the catalog does not know. */
export class UnknownEventTypeError extends TidingsError {
  static override readonly code: string = 'TIDINGS_UNKNOWN_EVENT_TYPE';
}

/** A definition, handler or option was used in a way that cannot work. */
export class ConfigurationError extends TidingsError {
  static override readonly code: string = 'TIDINGS_CONFIGURATION';
}

/** A store (database) operation failed. */
export class StoreError extends TidingsError {
  static override readonly code: string = 'TIDINGS_STORE';
}

/** A broker operation failed. */
export class TransportError extends TidingsError {
  static override readonly code: string = 'TIDINGS_TRANSPORT';
}

/** The component was closed; the call cannot run. */
export class ClosedError extends TidingsError {
  static override readonly code: string = 'TIDINGS_CLOSED';
}

/** A handler took longer than its timeout. */
export class TimeoutError extends TidingsError {
  static override readonly code: string = 'TIDINGS_TIMEOUT';
}

/** Thrown by a handler: try again, no sooner than `delayMs`. */
export class RetryLater extends TidingsError {
  static override readonly code: string = 'TIDINGS_RETRY_LATER';
  readonly delayMs: number;
  constructor(message: string, delayMs: number, options?: TidingsErrorOptions) {
    super(message, { ...options, details: { delayMs } });
    this.delayMs = delayMs;
  }
}

/** Thrown by a handler: retrying cannot help; dead-letter at once. */
export class DoNotRetry extends TidingsError {
  static override readonly code: string = 'TIDINGS_DO_NOT_RETRY';
}

export interface HandlerFailure {
  readonly handler: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly error: unknown;
}

/** One or more handlers failed for a publication; every other handler still ran. */
export class HandlersFailedError extends TidingsError {
  static override readonly code: string = 'TIDINGS_HANDLERS_FAILED';
  readonly failures: readonly HandlerFailure[];
  constructor(failures: readonly HandlerFailure[]) {
    const list = failures
      .map((f) => `"${f.handler}" on ${f.eventType} ${f.eventId}: ${errorMessage(f.error)}`)
      .join('; ');
    super(`${failures.length} handler(s) failed: ${list}`, {
      cause: failures.length === 1 ? failures[0]?.error : new AggregateError(failures.map((f) => f.error)),
      details: { handlers: failures.map((f) => f.handler) },
    });
    this.failures = failures;
  }
}

/** The message of anything thrown, without assuming it is an Error. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
