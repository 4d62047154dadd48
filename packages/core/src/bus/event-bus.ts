/**
 * The in-process event bus. Producers publish; named handlers subscribed to definitions,
 * lists of definitions or every event run. Every handler runs even when another throws;
 * the caller then gets one `HandlersFailedError` naming each failure with its cause.
 *
 * Modes, and exactly what each guarantees:
 * - `publishSync(events)`: handlers run to completion in subscription order, inside the
 *   caller's call stack, before it returns. A handler that returns a promise is a failure
 *   (use `publish`), so nothing runs detached.
 * - `publish(events, { mode: 'sequential' })` (default): each handler is awaited before the
 *   next starts, in subscription order, event by event.
 * - `publish(events, { mode: 'concurrent' })`: all handlers of an event start together and
 *   are awaited together; events are still processed one after another.
 * In-process delivery is at-most-once: it dies with the process. Durable handlers on the
 * outbox give at-least-once.
 */

import { ConfigurationError, type HandlerFailure, HandlersFailedError } from '../errors/errors.ts';
import { enterSyncCause, restoreSyncCause, runAsCausedBy } from '../event/ambient.ts';
import type { AnyDomainEvent } from '../event/envelope.ts';
import { createHandlerContext, type PublishSink } from './context.ts';
import {
  assertHandlerName,
  type EventOfTarget,
  type Handler,
  type HandlerContext,
  type HandlerTarget,
  typesOfTarget,
} from './handler.ts';

export type DispatchMode = 'sequential' | 'concurrent';

export interface PublishOptions {
  readonly mode?: DispatchMode;
}

export interface EventBus {
  /**
   * Subscribes a named handler; returns a function that unsubscribes it. A name already in
   * use is a `ConfigurationError`.
   *
   * @example
   * bus.subscribe('send-confirmation-email', OrderPlaced, async (event) => mailer.send(event.payload.email));
   */
  subscribe<T extends HandlerTarget>(name: string, target: T, handler: Handler<EventOfTarget<T>>): () => void;
  /** Removes the handler of that name; false when there was none. */
  unsubscribe(name: string): boolean;
  /** Runs matching handlers asynchronously (see the module doc for the modes). */
  publish(events: AnyDomainEvent | readonly AnyDomainEvent[], options?: PublishOptions): Promise<void>;
  /** Runs matching synchronous handlers before returning. */
  publishSync(events: AnyDomainEvent | readonly AnyDomainEvent[]): void;
  /** Names of the subscribed handlers, in subscription order. */
  handlers(): readonly string[];
}

interface Entry {
  readonly name: string;
  readonly types: readonly string[] | '*';
  readonly handle: Handler;
}

export interface EventBusOptions {
  /** Default dispatch mode of `publish`. Default `'sequential'`. */
  readonly mode?: DispatchMode;
  /**
   * Whether events created anywhere in a handler's call tree (`Definition.create`) inherit
   * the handled event as their cause. Default true. Off, the bus sets no ambient cause (no
   * AsyncLocalStorage run per handler, the main cost of `await bus.publish`); events
   * published through `context.publish(Definition, payload)` keep correlation and causation
   * either way, since the context names its cause explicitly.
   */
  readonly ambientCausation?: boolean;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

const nothingToAwait = Promise.resolve();

/** Where sequential dispatch stood when a handler first returned a thenable. */
interface Position {
  readonly list: readonly AnyDomainEvent[] | undefined;
  /** Event `i` of the publication and its handlers as routed when dispatch reached it. */
  readonly i: number;
  readonly event: AnyDomainEvent;
  readonly matching: readonly Entry[];
  /** The handler (`matching[j]`) whose thenable is pending. */
  readonly j: number;
  readonly failures: HandlerFailure[] | undefined;
}

function failure(entry: Entry, event: AnyDomainEvent, error: unknown): HandlerFailure {
  return { handler: entry.name, eventId: event.id, eventType: event.type, error };
}

/** Creates an in-process bus. */
export function createEventBus(options: EventBusOptions = {}): EventBus {
  const entries: Entry[] = [];
  let routes = new Map<string, readonly Entry[]>();
  const defaultMode = options.mode ?? 'sequential';
  const ambient = options.ambientCausation ?? true;

  // The last two types routed, checked before the map: bursts of one type, and two types
  // taken in turn (a command and its consequence), skip the hash lookup.
  let lastType: string | undefined;
  let lastRoute: readonly Entry[] = [];
  let otherType: string | undefined;
  let otherRoute: readonly Entry[] = [];
  const route = (type: string): readonly Entry[] => {
    if (type === lastType) return lastRoute;
    let list: readonly Entry[] | undefined;
    if (type === otherType) list = otherRoute;
    else {
      list = routes.get(type);
      if (!list) {
        list = entries.filter((e) => e.types === '*' || e.types.includes(type));
        routes.set(type, list);
      }
    }
    otherType = lastType;
    otherRoute = lastRoute;
    lastType = type;
    lastRoute = list;
    return list;
  };

  const sink: PublishSink = (events) => bus.publish(events);

  const context = (entry: Entry, event: AnyDomainEvent): HandlerContext =>
    createHandlerContext(entry.name, event, sink);

  // The dispatch loops below allocate the failure list only on the first failure: the common
  // case (nothing fails) allocates nothing beyond each handler's context.

  const call = (entry: Entry, event: AnyDomainEvent) => entry.handle(event, context(entry, event));

  /**
   * Sequential dispatch. It stays synchronous (no promise at all) while handlers return plain
   * values, and switches to `continueSequential` at the first thenable, so sync handlers under
   * `publish` cost no microtask and async ones cost one await each. Each call runs inside
   * `runAsCausedBy`, which is what keeps the ambient cause across the handler's own awaits.
   * Returns undefined when everything finished synchronously and nothing failed; otherwise
   * throws, or returns the promise of the rest, `HandlersFailedError` when anything failed.
   */
  const runSequential = (events: readonly AnyDomainEvent[] | AnyDomainEvent): Promise<void> | undefined => {
    const list = Array.isArray(events) ? (events as readonly AnyDomainEvent[]) : undefined;
    const count = list ? list.length : 1;
    let failures: HandlerFailure[] | undefined;
    for (let i = 0; i < count; i++) {
      const event = list ? (list[i] as AnyDomainEvent) : (events as AnyDomainEvent);
      const matching = route(event.type);
      for (let j = 0; j < matching.length; j++) {
        const entry = matching[j] as Entry;
        try {
          const result = ambient ? runAsCausedBy(event, call, entry, event) : call(entry, event);
          if (isThenable(result)) {
            const at: Position = { list, i, event, matching, j, failures };
            if (i === count - 1 && j === matching.length - 1) return settleLast(result, at);
            if (!ambient) return continueSequential(result, at);
            // Started inside the event's async context, the rest of this event's handlers
            // inherit it across awaits without a runAsCausedBy each.
            return runAsCausedBy(event, continueSequential, result, at);
          }
        } catch (error) {
          failures ??= [];
          failures.push(failure(entry, event, error));
        }
      }
    }
    if (failures) throw new HandlersFailedError(failures);
    return undefined;
  };

  /** The last handler returned a thenable: one `then`, no async frame. */
  const settleLast = (pending: PromiseLike<unknown>, at: Position): Promise<void> =>
    Promise.resolve(pending).then(
      () => {
        if (at.failures) throw new HandlersFailedError(at.failures);
      },
      (error: unknown) => {
        const entry = at.matching[at.j] as Entry;
        throw new HandlersFailedError([...(at.failures ?? []), failure(entry, at.event, error)]);
      },
    );

  const continueSequential = async (pending: PromiseLike<unknown>, at: Position): Promise<void> => {
    let { event, matching, failures } = at;
    const { list } = at;
    const count = list ? list.length : 1;
    try {
      await pending;
    } catch (error) {
      failures ??= [];
      failures.push(failure(matching[at.j] as Entry, event, error));
    }
    for (let i = at.i, j = at.j + 1; i < count; i++, j = 0) {
      if (i !== at.i) {
        event = list?.[i] as AnyDomainEvent;
        matching = route(event.type);
      }
      for (; j < matching.length; j++) {
        const entry = matching[j] as Entry;
        try {
          const result =
            i === at.i || !ambient ? call(entry, event) : runAsCausedBy(event, call, entry, event);
          if (isThenable(result)) await result;
        } catch (error) {
          failures ??= [];
          failures.push(failure(entry, event, error));
        }
      }
    }
    if (failures) throw new HandlersFailedError(failures);
  };

  /**
   * Concurrent dispatch of one event: every handler is called at once, in subscription order,
   * and only the thenables are awaited together. Failures are reported in subscription order.
   */
  const runConcurrent = (
    event: AnyDomainEvent,
    list: readonly Entry[],
  ): HandlerFailure[] | undefined | Promise<HandlerFailure[] | undefined> => {
    let failed: (HandlerFailure | undefined)[] | undefined;
    let pending: Promise<void>[] | undefined;
    const fail = (j: number, error: unknown) => {
      failed ??= [];
      failed[j] = failure(list[j] as Entry, event, error);
    };
    for (let j = 0; j < list.length; j++) {
      try {
        const result = call(list[j] as Entry, event);
        if (isThenable(result)) {
          pending ??= [];
          pending.push(Promise.resolve(result).then(undefined, (error: unknown) => fail(j, error)));
        }
      } catch (error) {
        fail(j, error);
      }
    }
    const collect = () => failed?.filter((f): f is HandlerFailure => f !== undefined);
    return pending ? Promise.all(pending).then(collect) : collect();
  };

  const publishConcurrent = async (events: AnyDomainEvent | readonly AnyDomainEvent[]): Promise<void> => {
    const list = Array.isArray(events) ? (events as readonly AnyDomainEvent[]) : [events as AnyDomainEvent];
    let failures: HandlerFailure[] | undefined;
    for (const event of list) {
      const matching = route(event.type);
      if (matching.length === 0) continue;
      const failed = await (ambient
        ? runAsCausedBy(event, runConcurrent, event, matching)
        : runConcurrent(event, matching));
      if (failed) failures = failures ? [...failures, ...failed] : failed;
    }
    if (failures) throw new HandlersFailedError(failures);
  };

  const runSync = (
    event: AnyDomainEvent,
    list: readonly Entry[],
    failures: HandlerFailure[] | undefined,
  ): HandlerFailure[] | undefined => {
    const previous = ambient ? enterSyncCause(event) : undefined;
    try {
      for (let i = 0; i < list.length; i++) {
        const entry = list[i] as Entry;
        try {
          const result = entry.handle(event, context(entry, event));
          if (isThenable(result)) {
            Promise.resolve(result).catch(() => {});
            throw new ConfigurationError(
              `Handler "${entry.name}" returned a promise during publishSync; use publish() for async handlers.`,
            );
          }
        } catch (error) {
          failures ??= [];
          failures.push(failure(entry, event, error));
        }
      }
    } finally {
      if (ambient) restoreSyncCause(previous);
    }
    return failures;
  };

  const bus: EventBus = {
    subscribe(name, target, handler) {
      assertHandlerName(name);
      if (entries.some((e) => e.name === name)) {
        throw new ConfigurationError(
          `A handler named "${name}" is already subscribed; handler names are their identity, so each must be unique.`,
        );
      }
      entries.push({ name, types: typesOfTarget(target), handle: handler as Handler });
      routes = new Map();
      lastType = undefined;
      otherType = undefined;
      return () => {
        bus.unsubscribe(name);
      };
    },
    unsubscribe(name) {
      const index = entries.findIndex((e) => e.name === name);
      if (index < 0) return false;
      entries.splice(index, 1);
      routes = new Map();
      lastType = undefined;
      otherType = undefined;
      return true;
    },
    publish(events, publishOptions) {
      try {
        if ((publishOptions?.mode ?? defaultMode) === 'concurrent') return publishConcurrent(events);
        return runSequential(events) ?? nothingToAwait;
      } catch (error) {
        return Promise.reject(error);
      }
    },
    publishSync(events) {
      let failures: HandlerFailure[] | undefined;
      if (Array.isArray(events)) {
        for (const event of events as readonly AnyDomainEvent[]) {
          const matching = route(event.type);
          if (matching.length > 0) failures = runSync(event, matching, failures);
        }
      } else {
        const event = events as AnyDomainEvent;
        const matching = route(event.type);
        if (matching.length > 0) failures = runSync(event, matching, undefined);
      }
      if (failures) throw new HandlersFailedError(failures);
    },
    handlers: () => entries.map((e) => e.name),
  };
  return bus;
}
