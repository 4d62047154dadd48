/**
 * Handler spies: handlers that record what they handled, so a test can `await` the outcome
 * it expects (`spy.waitFor(OrderPlaced)`) instead of sleeping and hoping. A spy records for
 * any number of named handlers, can wrap real handlers, and stays synchronous for
 * synchronous handlers so it also works under `publishSync`.
 */

import type { EventDefinition, HandlerContext } from '@tidings/core';
import { type AnyDomainEvent, type EventOf, type Handler, TimeoutError } from '@tidings/core';
import { errorMessage } from '@tidings/core/spi';
import { describeMatcher, type EventMatcher, matchesEvent } from './event-matcher.ts';

/** One call of a spied handler, recorded when it finished. */
export interface SpyRecord {
  /** The handler's name: the explicit spy name, else the name the bus or runtime gave it. */
  readonly handler: string;
  readonly event: AnyDomainEvent;
  readonly outcome: 'handled' | 'failed';
  /** What the handler threw, when `outcome` is `'failed'`. */
  readonly error?: unknown;
  readonly attempt: number;
}

export interface WaitForOptions {
  /** How long to wait before rejecting with what was seen. Default: the spy's `timeoutMs`. */
  readonly timeoutMs?: number;
  /** Only count events recorded under this handler name. */
  readonly handler?: string;
  /** Wait for a handled event (default) or for a failed one. */
  readonly outcome?: 'handled' | 'failed';
  /** Stops waiting; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

export interface HandlerSpy {
  /** A handler that records under the name the bus gives it (`context.handler`). */
  readonly handle: Handler;
  /**
   * A handler that records under `name`, calling `inner` first when given (its failure is
   * recorded as `'failed'` and rethrown). Stays synchronous when `inner` is.
   */
  handler<E extends AnyDomainEvent = AnyDomainEvent>(name?: string, inner?: Handler<E>): Handler<E>;
  /** Events handled successfully, by every spied handler, in the order they finished. */
  readonly events: readonly AnyDomainEvent[];
  /** Every recorded call, failures included. */
  readonly records: readonly SpyRecord[];
  /** How many events were handled successfully, by one handler or by all. */
  count(handler?: string): number;
  /**
   * Resolves with the first matching event that was handled, or waits for one; rejects with
   * a `TimeoutError` listing what was seen when none comes in time.
   */
  waitFor<D extends EventDefinition>(definition: D, options?: WaitForOptions): Promise<EventOf<D>>;
  waitFor(
    matcher: string | ((event: AnyDomainEvent) => boolean),
    options?: WaitForOptions,
  ): Promise<AnyDomainEvent>;
  /** Forgets what was recorded; waiting calls keep waiting. */
  clear(): void;
}

export interface HandlerSpyOptions {
  /** Default wait of `waitFor`, kept below vitest's 5 s test timeout so our message wins. Default 2000. */
  readonly timeoutMs?: number;
}

interface Waiter {
  matches(record: SpyRecord): boolean;
  resolve(event: AnyDomainEvent): void;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

function describeRecord(record: SpyRecord, index: number): string {
  const failure = record.outcome === 'failed' ? ` (${errorMessage(record.error)})` : '';
  return `  ${index + 1}. "${record.handler}" ${record.outcome} ${record.event.type} ${record.event.id}${failure}`;
}

/**
 * Creates a handler spy.
 *
 * @example
 * const spy = createHandlerSpy();
 * bus.subscribe('send-email', OrderPlaced, spy.handler('send-email', sendEmail));
 * await bus.publish(OrderPlaced.create({ orderId: 'o-1', total: 42 }));
 * const sent = await spy.waitFor(OrderPlaced, { handler: 'send-email' });
 * expect(sent.payload.orderId).toBe('o-1');
 */
export function createHandlerSpy(options: HandlerSpyOptions = {}): HandlerSpy {
  const defaultTimeoutMs = options.timeoutMs ?? 2000;
  let records: SpyRecord[] = [];
  const waiters = new Set<Waiter>();

  const record = (entry: SpyRecord): void => {
    records.push(entry);
    for (const waiter of waiters) {
      if (waiter.matches(entry)) waiter.resolve(entry.event);
    }
  };

  const handler =
    <E extends AnyDomainEvent>(name?: string, inner?: Handler<E>): Handler<E> =>
    (event, context?: HandlerContext) => {
      // Tests often call a spied handler directly with only an event: the context is optional.
      const base = { handler: name ?? context?.handler ?? 'spy', event, attempt: context?.attempt ?? 1 };
      const failed = (error: unknown) => {
        record({ ...base, outcome: 'failed', error });
        throw error;
      };
      let result: ReturnType<Handler<E>>;
      try {
        result = inner?.(event, context as HandlerContext);
      } catch (error) {
        return failed(error);
      }
      if (!isThenable(result)) {
        record({ ...base, outcome: 'handled' });
        return undefined;
      }
      return Promise.resolve(result).then(() => record({ ...base, outcome: 'handled' }), failed);
    };

  const handled = (name?: string) =>
    records.filter((r) => r.outcome === 'handled' && (name === undefined || r.handler === name));

  const waitFor = (matcher: EventMatcher, waitOptions: WaitForOptions = {}): Promise<AnyDomainEvent> => {
    const outcome = waitOptions.outcome ?? 'handled';
    const matches = (r: SpyRecord) =>
      r.outcome === outcome &&
      (waitOptions.handler === undefined || r.handler === waitOptions.handler) &&
      matchesEvent(matcher, r.event);
    const seen = records.find(matches);
    if (seen) return Promise.resolve(seen.event);
    const timeoutMs = waitOptions.timeoutMs ?? defaultTimeoutMs;
    const signal = waitOptions.signal;
    return new Promise<AnyDomainEvent>((resolve, reject) => {
      const finish = () => {
        waiters.delete(waiter);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        matches,
        resolve: (event) => {
          finish();
          resolve(event);
        },
      };
      const onAbort = () => {
        finish();
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        finish();
        const by = waitOptions.handler === undefined ? '' : ` by "${waitOptions.handler}"`;
        const list =
          records.length === 0 ? ' Nothing was handled.' : `\n${records.map(describeRecord).join('\n')}`;
        reject(
          new TimeoutError(
            `Waited ${timeoutMs} ms for ${describeMatcher(matcher)} to be ${outcome}${by}; none was. Seen ${records.length} call(s):${list}`,
            { details: { records: records.length } },
          ),
        );
      }, timeoutMs);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      waiters.add(waiter);
    });
  };

  return {
    handle: handler(),
    handler,
    get events() {
      return Object.freeze(handled().map((r) => r.event));
    },
    get records() {
      return Object.freeze([...records]);
    },
    count: (name) => handled(name).length,
    waitFor: waitFor as HandlerSpy['waitFor'],
    clear() {
      records = [];
    },
  };
}
