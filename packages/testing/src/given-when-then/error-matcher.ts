/**
 * What `thenThrows()` accepts: an error class or a stable error code. Classes with a static
 * `is()` (every Tidings error) are matched through it, so an error from another installed
 * copy of @tidings/core still matches; other classes are matched with `instanceof`.
 */
import { errorMessage } from '@tidings/core/spi';

// biome-ignore lint/suspicious/noExplicitAny: constructor parameters of arbitrary error classes
export type ErrorClass<E = unknown> = abstract new (...args: any[]) => E;

/** An error class, or the stable `code` of the error expected (e.g. `'TIDINGS_VALIDATION'`). */
export type ErrorMatcher<E = unknown> = ErrorClass<E> | string;

export function matchesError(matcher: ErrorMatcher, error: unknown): boolean {
  if (typeof matcher === 'string') {
    return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === matcher;
  }
  const is = (matcher as { is?: unknown }).is;
  if (typeof is === 'function') return (is as (value: unknown) => boolean).call(matcher, error) === true;
  return error instanceof matcher;
}

export function describeErrorMatcher(matcher: ErrorMatcher): string {
  if (typeof matcher === 'string') return `an error with code ${matcher}`;
  const code = (matcher as { code?: unknown }).code;
  return typeof code === 'string' ? `${matcher.name} (${code})` : matcher.name || 'the error class';
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' && code !== error.name ? ` (${code})` : ''}: ${error.message}`;
  }
  return `non-error value ${errorMessage(error)}`;
}
