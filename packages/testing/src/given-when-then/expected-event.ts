/**
 * Expected events for given/when/then: compared by type and payload (and the subject
 * sequence when the expectation names one), never by id or timestamp, which differ on
 * every run.
 */
import type { AnyDomainEvent, EventDefinition, PayloadOf } from '@tidings/core';

/** An event as a scenario expects it. */
export interface ExpectedEvent {
  readonly type: string;
  readonly payload: unknown;
  /** The aggregate's `subject.sequence`; left out, any sequence matches. */
  readonly sequence?: number;
}

/** What `then()` accepts for each event: an expectation, or a real event to compare with. */
export type ExpectedEventLike = ExpectedEvent | AnyDomainEvent;

/**
 * An expected event of a definition, typed by its payload. Payload fields may be vitest
 * asymmetric matchers such as `expect.any(String)`.
 *
 * @example
 * given(() => new Order('o-1'))
 *   .when((order) => order.place(42))
 *   .then([expectedEvent(OrderPlaced, { orderId: 'o-1', total: 42 }, { sequence: 1 })]);
 */
export function expectedEvent<D extends EventDefinition>(
  definition: D,
  payload: PayloadOf<D>,
  options: { readonly sequence?: number } = {},
): ExpectedEvent {
  return options.sequence === undefined
    ? { type: definition.type, payload }
    : { type: definition.type, payload, sequence: options.sequence };
}

function expectedSequence(expected: ExpectedEventLike): number | undefined {
  return 'id' in expected
    ? (expected as AnyDomainEvent).subject?.sequence
    : (expected as ExpectedEvent).sequence;
}

/** The comparable form of an expectation: type, payload, and sequence when it names one. */
export function comparableExpected(expected: ExpectedEventLike): ExpectedEvent {
  const sequence = expectedSequence(expected);
  return sequence === undefined
    ? { type: expected.type, payload: expected.payload }
    : { type: expected.type, payload: expected.payload, sequence };
}

/** The comparable form of a recorded event, shaped like the expectation at its index. */
export function comparableActual(
  actual: AnyDomainEvent,
  expected: ExpectedEventLike | undefined,
): ExpectedEvent {
  const wantsSequence = expected !== undefined && expectedSequence(expected) !== undefined;
  const sequence = actual.subject?.sequence;
  return wantsSequence && sequence !== undefined
    ? { type: actual.type, payload: actual.payload, sequence }
    : { type: actual.type, payload: actual.payload };
}
