/**
 * Given/When/Then for aggregates: given an aggregate, when a command runs, then it recorded
 * exactly these events, or threw this error. Works with anything that has `pullEvents()`:
 * the `AggregateRoot` class form and the functional `createEventRecorder` alike. The
 * scenario runs when `then…` is called; a synchronous command gives a synchronous check,
 * an async command gives a promise to await.
 */
import { AssertionError } from 'node:assert';
import { type AnyDomainEvent, ConfigurationError } from '@tidings/core';
import { describeValue } from '@tidings/core/spi';
import { expect } from 'vitest';
import { describeError, describeErrorMatcher, type ErrorMatcher, matchesError } from './error-matcher.ts';
import { comparableActual, comparableExpected, type ExpectedEventLike } from './expected-event.ts';

/** Anything that records events and hands them over. */
export interface RecordsEvents {
  pullEvents(): readonly AnyDomainEvent[];
}

/**
 * `T` for a synchronous command, `Promise<T>` for an async one. A command that only throws
 * is inferred as returning `never`, which must not turn the result into `never`.
 */
export type Settled<R, T> = [R] extends [never] ? T : R extends PromiseLike<unknown> ? Promise<T> : T;

export interface GivenScenario<A extends RecordsEvents> {
  /** The command under test. Return its promise when it is async. */
  when<R>(command: (aggregate: A) => R): WhenScenario<A, R>;
}

export interface WhenScenario<A extends RecordsEvents, R> {
  /**
   * Checks that the command recorded exactly `expected`, in order, compared by type and
   * payload (and subject sequence where an expectation names one). Returns the aggregate
   * for further checks of its state.
   */
  then(expected: readonly ExpectedEventLike[]): Settled<R, A>;
  /** Checks that the command threw `expected` (a class or a code); returns the error. */
  thenThrows<E>(expected: ErrorMatcher<E>): Settled<R, E>;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

function failure(message: string, cause?: unknown): AssertionError {
  const error = new AssertionError({ message });
  if (cause !== undefined) Object.defineProperty(error, 'cause', { value: cause, configurable: true });
  return error;
}

function listTypes(events: readonly { readonly type: string }[]): string {
  return events.length === 0
    ? 'no events'
    : `${events.length} event(s): ${events.map((e) => e.type).join(', ')}`;
}

function describeRecorded(events: readonly AnyDomainEvent[]): string {
  if (events.length === 0) return 'nothing';
  return events
    .map((e, i) => {
      const sequence = e.subject?.sequence === undefined ? '' : ` #${e.subject.sequence}`;
      return `\n  ${i + 1}. ${e.type}${sequence} ${describeValue(e.payload, 300)}`;
    })
    .join('');
}

function checkEvents(aggregate: RecordsEvents, expected: readonly ExpectedEventLike[]): void {
  const actual = aggregate.pullEvents();
  // vitest's diff shows the difference; the message lists what was recorded, in full.
  expect(
    actual.map((event, i) => comparableActual(event, expected[i])),
    `when() recorded other events than expected (compared by type, payload and any expected sequence); it recorded: ${describeRecorded(actual)}\n`,
  ).toEqual(expected.map(comparableExpected));
}

/**
 * Starts a scenario from an aggregate, or better from a factory so each run gets a fresh one.
 * Events recorded while setting it up are history: they are pulled and ignored.
 *
 * @example
 * given(() => new Order('o-1'))
 *   .when((order) => order.place(42))
 *   .then([expectedEvent(OrderPlaced, { orderId: 'o-1', total: 42 }, { sequence: 1 })]);
 *
 * given(() => createEventRecorder('Order', 'o-1'))
 *   .when((order) => cancelOrder(order, 'changed my mind'))
 *   .thenThrows(DoNotRetry);
 */
export function given<A extends RecordsEvents>(setup: () => A): GivenScenario<A>;
export function given<A extends RecordsEvents>(aggregate: A): GivenScenario<A>;
export function given<A extends RecordsEvents>(setup: A | (() => A)): GivenScenario<A> {
  const start = (): A => {
    const aggregate = typeof setup === 'function' ? (setup as () => A)() : setup;
    aggregate.pullEvents();
    return aggregate;
  };

  return {
    when<R>(command: (aggregate: A) => R): WhenScenario<A, R> {
      const scenario: WhenScenario<A, R> = {
        // biome-ignore lint/suspicious/noThenProperty: Given/When/Then is the vocabulary; awaiting the scenario by mistake is caught below.
        then(expected) {
          if (!Array.isArray(expected)) {
            // `await given(...).when(...)` calls then(resolve, reject): say what to do instead.
            throw new ConfigurationError(
              'A scenario is not a promise: end it with .then([...expected events]) or .thenThrows(ErrorClass), and await that when the command is async.',
            );
          }
          const aggregate = start();
          const threw = (error: unknown): never => {
            throw failure(
              `Expected when() to record ${listTypes(expected)}, but it threw ${describeError(error)}`,
              error,
            );
          };
          let result: R;
          try {
            result = command(aggregate);
          } catch (error) {
            return threw(error);
          }
          if (isThenable(result)) {
            return Promise.resolve(result).then(() => {
              checkEvents(aggregate, expected);
              return aggregate;
            }, threw) as Settled<R, A>;
          }
          checkEvents(aggregate, expected);
          return aggregate as Settled<R, A>;
        },

        thenThrows<E>(expected: ErrorMatcher<E>) {
          const aggregate = start();
          const caught = (error: unknown): E => {
            if (matchesError(expected, error)) return error as E;
            throw failure(
              `Expected when() to throw ${describeErrorMatcher(expected)}, but it threw ${describeError(error)}`,
              error,
            );
          };
          const returned = (): never => {
            throw failure(
              `Expected when() to throw ${describeErrorMatcher(expected)}, but it returned normally after recording ${listTypes(aggregate.pullEvents())}.`,
            );
          };
          let result: R;
          try {
            result = command(aggregate);
          } catch (error) {
            return caught(error) as Settled<R, E>;
          }
          if (isThenable(result)) return Promise.resolve(result).then(returned, caught) as Settled<R, E>;
          return returned();
        },
      };
      return scenario;
    },
  };
}
