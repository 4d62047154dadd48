/**
 * Durable handlers: handlers whose deliveries are recorded in the outbox at append time and
 * completed only when they succeed, so they survive crashes and restarts (at-least-once).
 * With `inbox: true`, the handler runs inside a store transaction together with an inbox
 * record, so its own database writes happen once even when the event is redelivered.
 */
import type { EventOfTarget, HandlerContext, HandlerTarget } from '../bus/handler.ts';
import { assertHandlerName, typesOfTarget } from '../bus/handler.ts';
import type { RetryPolicy } from '../middleware/backoff.ts';
import type { Middleware } from '../middleware/middleware.ts';

export interface DurableHandlerContext<Tx> extends HandlerContext {
  /** The store transaction the handler runs in, when it uses the inbox. */
  readonly tx: Tx | undefined;
}

export type DurableHandlerFunction<E, Tx> = (
  event: E,
  context: DurableHandlerContext<Tx>,
) => void | Promise<void>;

export interface DurableHandlerOptions {
  /** Retries before dead-lettering. Default: 5 attempts, 100 ms doubling, full jitter. */
  readonly retry?: RetryPolicy;
  /** Fails an attempt that runs longer than this. Default 30 s. */
  readonly timeoutMs?: number;
  /** Runs in a store transaction with an inbox record: effects once. Default false. */
  readonly inbox?: boolean;
  /** Wraps each attempt (tracing, logging…); the first listed is the outermost. */
  readonly middleware?: readonly Middleware[];
}

export interface DurableHandler<Tx = unknown> {
  readonly name: string;
  readonly types: readonly string[] | '*';
  readonly handle: DurableHandlerFunction<never, Tx>;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
  readonly inbox: boolean;
  readonly middleware: readonly Middleware[];
}

/**
 * Declares a durable handler.
 *
 * @example
 * const sendEmail = durableHandler('send-order-confirmation', OrderPlaced, async (event) => {
 *   await mailer.send(event.payload.email, `Order ${event.payload.orderId} confirmed`);
 * }, { retry: { maxAttempts: 8 } });
 */
export function durableHandler<T extends HandlerTarget, Tx = unknown>(
  name: string,
  target: T,
  handle: DurableHandlerFunction<EventOfTarget<T>, Tx>,
  options: DurableHandlerOptions = {},
): DurableHandler<Tx> {
  assertHandlerName(name);
  return Object.freeze({
    name,
    types: typesOfTarget(target),
    handle: handle as DurableHandlerFunction<never, Tx>,
    retry: options.retry ?? {},
    timeoutMs: options.timeoutMs ?? 30_000,
    inbox: options.inbox ?? false,
    middleware: options.middleware ?? [],
  });
}

/** True when a consumer subscribed to `types` wants events of `type`. */
export function wants(types: readonly string[] | '*', type: string): boolean {
  return types === '*' || types.includes(type);
}
