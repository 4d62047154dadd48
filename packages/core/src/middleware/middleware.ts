/** Middleware wraps a handler in one concern: `(next) => handler`. */
import type { Handler } from '../bus/handler.ts';
import type { AnyDomainEvent } from '../event/envelope.ts';

export type Middleware = <E extends AnyDomainEvent>(next: Handler<E>) => Handler<E>;

/**
 * Applies middlewares so the first listed is the outermost.
 *
 * @example
 * const handle = withMiddleware(sendEmail, timeout({ ms: 5000 }), retry({ maxAttempts: 3 }));
 */
export function withMiddleware<E extends AnyDomainEvent>(
  handler: Handler<E>,
  ...middlewares: Middleware[]
): Handler<E> {
  return middlewares.reduceRight<Handler<E>>((next, middleware) => middleware(next), handler);
}
