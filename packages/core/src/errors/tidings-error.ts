/**
 * The one error base of Tidings. Every error carries a stable string `code`, an optional
 * `cause` and structured `details`. `is()` checks a brand and the code rather than
 * `instanceof`, so two installed copies of the package still recognise each other's errors.
 */

const brand = Symbol.for('@tidings/error');

export type ErrorDetails = Readonly<Record<string, unknown>>;

export interface TidingsErrorOptions {
  readonly cause?: unknown;
  readonly details?: ErrorDetails;
}

export class TidingsError extends Error {
  /** The code that `is()` matches; subclasses override it. */
  static readonly code: string = 'TIDINGS_ERROR';
  readonly code: string;
  readonly details: ErrorDetails;
  readonly [brand] = true;

  constructor(message: string, options: TidingsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = (new.target as typeof TidingsError).code;
    this.details = options.details ?? {};
    this.name = this.code;
  }

  /**
   * True when `value` is a Tidings error of this class's code (or any Tidings error when
   * called on the base class), even if it comes from another copy of the package.
   *
   * @example
   * if (ValidationError.is(error)) console.log(error.issues);
   */
  static is<C extends abstract new (...args: never[]) => TidingsError>(
    this: C & { readonly code: string },
    value: unknown,
  ): value is InstanceType<C> {
    if (typeof value !== 'object' || value === null || (value as Record<symbol, unknown>)[brand] !== true) {
      return false;
    }
    return this.code === TidingsError.code || (value as { code?: unknown }).code === this.code;
  }
}

/** Shortens a value for an error message so a huge or hostile input cannot flood logs. */
export function describeValue(value: unknown, max = 80): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
}
