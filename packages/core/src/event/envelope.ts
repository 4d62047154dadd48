/**
 * The domain event envelope: plain, deeply frozen data that serialises losslessly.
 */

/** Deeply readonly view of a payload type. */
export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer U)[]
    ? readonly DeepReadonly<U>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** The aggregate an event is about. `sequence` counts the aggregate's events from 1. */
export interface EventSubject {
  readonly type: string;
  readonly id: string;
  readonly sequence?: number;
}

export interface DomainEvent<Type extends string = string, Payload = unknown> {
  /** UUIDv7: unique and time-ordered. */
  readonly id: string;
  readonly type: Type;
  /** Version of the payload's shape; upcasters lift older versions to the current one. */
  readonly version: number;
  /** ISO-8601 UTC, e.g. `2026-11-26T07:00:00.000Z`. */
  readonly occurredAt: string;
  readonly subject?: EventSubject;
  /** Shared by every event of one story; defaults to the first event's own id. */
  readonly correlationId: string;
  /** The id of the event that caused this one, when there is one. */
  readonly causationId?: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly payload: DeepReadonly<Payload>;
}

/** Any event: what handlers of several types or of all events receive. */
export type AnyDomainEvent = DomainEvent<string, unknown>;

/** The key that orders an event among others: its subject, or its own id when it has none. */
export function orderingKey(event: AnyDomainEvent): string {
  return event.subject ? `${event.subject.type}:${event.subject.id}` : event.id;
}
