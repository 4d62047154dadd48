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
  /**
   * The inbox transaction the handler runs in: the store's, or your ORM's through an ORM
   * adapter. Typed from the store the handler is registered with; `undefined` without the inbox.
   */
  readonly tx: Tx;
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
  /**
   * Runs in a store transaction with an inbox record: effects once. Default false. The relay
   * or consumer the handler is given to must then have an inbox, or its creation fails.
   */
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

/** Declares durable handlers whose inbox transaction is a `Tx` (see {@link durableHandler}). */
export interface DeclareDurableHandler<Tx> {
  /** With the inbox: `context.tx` is the transaction, never undefined. */
  <T extends HandlerTarget>(
    name: string,
    target: T,
    handle: DurableHandlerFunction<EventOfTarget<T>, Tx>,
    options: DurableHandlerOptions & { readonly inbox: true },
  ): DurableHandler<Tx>;
  /** Without the inbox there is no transaction: `context.tx` is undefined, and the handler fits any store. */
  <T extends HandlerTarget>(
    name: string,
    target: T,
    handle: DurableHandlerFunction<EventOfTarget<T>, undefined>,
    options?: DurableHandlerOptions & { readonly inbox?: false },
  ): DurableHandler<unknown>;
  <T extends HandlerTarget>(
    name: string,
    target: T,
    handle: DurableHandlerFunction<EventOfTarget<T>, Tx | undefined>,
    options?: DurableHandlerOptions,
  ): DurableHandler<Tx>;
}

/**
 * Declares a durable handler. With `inbox: true`, `context.tx` is typed from where the
 * handler is registered (`createOutbox({ store, handlers: [durableHandler(…)] })`); for a
 * handler declared apart from its store, declare it with {@link durableHandlerFor}.
 *
 * @example
 * const sendEmail = durableHandler('send-order-confirmation', OrderPlaced, async (event) => {
 *   await mailer.send(event.payload.email, `Order ${event.payload.orderId} confirmed`);
 * }, { retry: { maxAttempts: 8 } });
 */
export function durableHandler<T extends HandlerTarget, Tx>(
  name: string,
  target: T,
  handle: DurableHandlerFunction<EventOfTarget<T>, Tx>,
  options: DurableHandlerOptions & { readonly inbox: true },
): DurableHandler<Tx>;
export function durableHandler<T extends HandlerTarget>(
  name: string,
  target: T,
  handle: DurableHandlerFunction<EventOfTarget<T>, undefined>,
  options?: DurableHandlerOptions & { readonly inbox?: false },
): DurableHandler<unknown>;
export function durableHandler<T extends HandlerTarget, Tx = unknown>(
  name: string,
  target: T,
  handle: DurableHandlerFunction<EventOfTarget<T>, Tx | undefined>,
  options?: DurableHandlerOptions,
): DurableHandler<Tx>;
export function durableHandler(
  name: string,
  target: HandlerTarget,
  handle: DurableHandlerFunction<never, never>,
  options: DurableHandlerOptions = {},
): DurableHandler<never> {
  assertHandlerName(name);
  return Object.freeze({
    name,
    types: typesOfTarget(target),
    handle,
    retry: options.retry ?? {},
    timeoutMs: options.timeoutMs ?? 30_000,
    inbox: options.inbox ?? false,
    middleware: options.middleware ?? [],
  });
}

/**
 * `durableHandler`, typed for the transactions of `store` (an outbox store, an inbox or an
 * ORM adapter's store): for handlers declared in their own module, before the relay or
 * consumer exists. It only fixes the type; the handler still runs in the inbox of whatever it
 * is registered with.
 *
 * @example
 * const handler = durableHandlerFor(store);
 * const countOrder = handler('count-order', OrderPlaced, async (event, { tx }) => {
 *   tx.db.prepare('UPDATE stats SET orders = orders + 1').run();
 * }, { inbox: true });
 */
export function durableHandlerFor<Tx>(_store: {
  transaction(work: (tx: Tx) => never): unknown;
}): DeclareDurableHandler<Tx> {
  return durableHandler as DeclareDurableHandler<Tx>;
}

/** True when a consumer subscribed to `types` wants events of `type`. */
export function wants(types: readonly string[] | '*', type: string): boolean {
  return types === '*' || types.includes(type);
}
