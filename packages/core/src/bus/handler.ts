/**
 * Handlers: named functions of `(event, context)`. The name is the handler's stable identity
 * (idempotency key, retry and dead-letter bookkeeping, metrics), so it is always explicit.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { ConfigurationError } from '../errors/errors.ts';
import type { CreateEventOptions, EventDefinition } from '../event/define-event.ts';
import type { AnyDomainEvent, DomainEvent } from '../event/envelope.ts';

export interface HandlerContext {
  /** The handler's name. */
  readonly handler: string;
  /** 1 on the first try, then 2, 3… when retried. */
  readonly attempt: number;
  /** Aborted when the handler timed out or its runtime is closing. */
  readonly signal: AbortSignal;
  /**
   * Publishes follow-up events through the same path the handled event came from. Events
   * created here (or anywhere in the handler's async call tree) inherit `correlationId`
   * and get `causationId` = the handled event's id.
   */
  publish<D extends EventDefinition>(
    definition: D,
    payload: StandardSchemaV1.InferInput<D['schema']>,
    options?: CreateEventOptions,
  ): Promise<void>;
  publish(event: AnyDomainEvent): Promise<void>;
}

export type Handler<E extends AnyDomainEvent = AnyDomainEvent> = (
  event: E,
  context: HandlerContext,
) => void | Promise<void>;

/** What a handler listens to: one definition, several, or every event (`'*'`). */
export type HandlerTarget = EventDefinition | readonly EventDefinition[] | '*';

/** The event type a target delivers, typed from the definitions' schemas. */
export type EventOfTarget<T> = T extends '*'
  ? AnyDomainEvent
  : T extends readonly (infer D)[]
    ? D extends EventDefinition<infer Ty, infer S>
      ? DomainEvent<Ty, StandardSchemaV1.InferOutput<S>>
      : never
    : T extends EventDefinition<infer Ty, infer S>
      ? DomainEvent<Ty, StandardSchemaV1.InferOutput<S>>
      : never;

/** The event types a target matches, or `'*'`. */
export function typesOfTarget(target: HandlerTarget): readonly string[] | '*' {
  if (target === '*') return '*';
  const list = Array.isArray(target) ? target : [target as EventDefinition];
  return list.map((d) => d.type);
}

const namePattern = /^[A-Za-z0-9][A-Za-z0-9_.:@/-]{0,199}$/;

export function assertHandlerName(name: string): void {
  if (typeof name !== 'string' || !namePattern.test(name)) {
    throw new ConfigurationError(
      `Handler name ${JSON.stringify(name)} is not valid: use 1-200 letters, digits, "_", ".", ":", "@", "/" or "-".`,
    );
  }
}
