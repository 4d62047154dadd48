/**
 * The creation-time check that every handler declared with `inbox: true` has an inbox to run
 * in: without it each of its deliveries would fail at run time and end as a dead letter, so
 * the relay or consumer refuses to be built instead, naming the option to pass.
 */
import { ConfigurationError } from '../errors/errors.ts';
import type { DurableHandler } from './durable-handler.ts';

export function requireInboxFor(
  handlers: readonly DurableHandler<never>[],
  inbox: unknown,
  where: { readonly runtime: string; readonly remedy: string },
): void {
  if (inbox !== undefined) return;
  const wanting = handlers.filter((h) => h.inbox).map((h) => JSON.stringify(h.name));
  if (wanting.length === 0) return;
  throw new ConfigurationError(
    `Durable handler${wanting.length > 1 ? 's' : ''} ${wanting.join(', ')} declared with inbox: true ` +
      `cannot run in ${where.runtime}, which has no inbox. ${where.remedy}`,
    { details: { handlers: wanting } },
  );
}
