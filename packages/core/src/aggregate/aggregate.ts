/**
 * Aggregates record the events they raise. Each recorded event gets the aggregate as its
 * subject with an increasing `sequence`; `pullEvents()` hands back a frozen copy and clears.
 * The aggregate type is always given as a string: class names do not survive minification.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { CreateEventOptions, EventDefinition } from '../event/define-event.ts';
import type { AnyDomainEvent, DomainEvent } from '../event/envelope.ts';

export interface EventRecorder {
  readonly subjectType: string;
  readonly subjectId: string;
  /** Sequence of the last recorded event (the aggregate's version). */
  readonly sequence: number;
  record<Ty extends string, S extends StandardSchemaV1>(
    definition: EventDefinition<Ty, S>,
    payload: StandardSchemaV1.InferInput<S>,
    options?: Omit<CreateEventOptions, 'subject'>,
  ): DomainEvent<Ty, StandardSchemaV1.InferOutput<S>>;
  /** The events recorded since the last pull, frozen; clears them. */
  pullEvents(): readonly AnyDomainEvent[];
  /** The events recorded since the last pull, without clearing. */
  peekEvents(): readonly AnyDomainEvent[];
}

/**
 * The functional form: a recorder for one aggregate instance.
 *
 * @example
 * const order = createEventRecorder('Order', 'o-1');
 * order.record(OrderPlaced, { orderId: 'o-1', total: 42 });
 * await unitOfWork.commit(order.pullEvents());
 */
export function createEventRecorder(subjectType: string, subjectId: string, sequence = 0): EventRecorder {
  let pending: AnyDomainEvent[] = [];
  let current = sequence;
  return {
    subjectType,
    subjectId,
    get sequence() {
      return current;
    },
    record(definition, payload, options) {
      const event = definition.create(payload, {
        ...options,
        subject: { type: subjectType, id: subjectId, sequence: current + 1 },
      });
      current += 1;
      pending.push(event);
      return event;
    },
    pullEvents() {
      const events = Object.freeze(pending);
      pending = [];
      return events;
    },
    peekEvents: () => Object.freeze([...pending]),
  };
}

/**
 * The class form. Subclasses call `record()` from their command methods and change their
 * own state; the base keeps the events and the sequence.
 *
 * @example
 * class Order extends AggregateRoot {
 *   constructor(id: string) { super('Order', id); }
 *   place(total: number) { this.record(OrderPlaced, { orderId: this.id, total }); }
 * }
 */
export abstract class AggregateRoot {
  readonly #recorder: EventRecorder;
  readonly id: string;

  protected constructor(aggregateType: string, id: string, version = 0) {
    this.id = id;
    this.#recorder = createEventRecorder(aggregateType, id, version);
  }

  get aggregateType(): string {
    return this.#recorder.subjectType;
  }

  /** Sequence of the last recorded event. */
  get version(): number {
    return this.#recorder.sequence;
  }

  protected record<Ty extends string, S extends StandardSchemaV1>(
    definition: EventDefinition<Ty, S>,
    payload: StandardSchemaV1.InferInput<S>,
    options?: Omit<CreateEventOptions, 'subject'>,
  ): DomainEvent<Ty, StandardSchemaV1.InferOutput<S>> {
    return this.#recorder.record(definition, payload, options);
  }

  pullEvents(): readonly AnyDomainEvent[] {
    return this.#recorder.pullEvents();
  }

  peekEvents(): readonly AnyDomainEvent[] {
    return this.#recorder.peekEvents();
  }
}
