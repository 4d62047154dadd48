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
import { runAsCausedBy, runSyncAsCausedBy } from '../event/ambient.ts';
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
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

function failure(entry: Entry, event: AnyDomainEvent, error: unknown): HandlerFailure {
  return { handler: entry.name, eventId: event.id, eventType: event.type, error };
}

/** Creates an in-process bus. */
export function createEventBus(options: EventBusOptions = {}): EventBus {
  const entries: Entry[] = [];
  let routes = new Map<string, readonly Entry[]>();
  const defaultMode = options.mode ?? 'sequential';

  const route = (type: string): readonly Entry[] => {
    let list = routes.get(type);
    if (!list) {
      list = entries.filter((e) => e.types === '*' || e.types.includes(type));
      routes.set(type, list);
    }
    return list;
  };

  const sink: PublishSink = (events) => bus.publish(events);

  const context = (entry: Entry, event: AnyDomainEvent): HandlerContext =>
    createHandlerContext(entry.name, event, sink);

  const runSequential = async (event: AnyDomainEvent, list: readonly Entry[], failures: HandlerFailure[]) => {
    for (const entry of list) {
      try {
        const result = entry.handle(event, context(entry, event));
        if (isThenable(result)) await result;
      } catch (error) {
        failures.push(failure(entry, event, error));
      }
    }
  };

  const runConcurrent = async (event: AnyDomainEvent, list: readonly Entry[], failures: HandlerFailure[]) => {
    const settled = await Promise.allSettled(
      list.map(async (entry) => entry.handle(event, context(entry, event))),
    );
    settled.forEach((result, i) => {
      if (result.status === 'rejected') failures.push(failure(list[i] as Entry, event, result.reason));
    });
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
      return () => {
        bus.unsubscribe(name);
      };
    },
    unsubscribe(name) {
      const index = entries.findIndex((e) => e.name === name);
      if (index < 0) return false;
      entries.splice(index, 1);
      routes = new Map();
      return true;
    },
    async publish(events, publishOptions) {
      const list = Array.isArray(events) ? (events as readonly AnyDomainEvent[]) : [events as AnyDomainEvent];
      const run = (publishOptions?.mode ?? defaultMode) === 'concurrent' ? runConcurrent : runSequential;
      const failures: HandlerFailure[] = [];
      for (const event of list) {
        const matching = route(event.type);
        if (matching.length > 0) await runAsCausedBy(event, () => run(event, matching, failures));
      }
      if (failures.length > 0) throw new HandlersFailedError(failures);
    },
    publishSync(events) {
      const list = Array.isArray(events) ? (events as readonly AnyDomainEvent[]) : [events as AnyDomainEvent];
      let failures: HandlerFailure[] | undefined;
      for (const event of list) {
        const matching = route(event.type);
        if (matching.length === 0) continue;
        runSyncAsCausedBy(event, () => {
          for (const entry of matching) {
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
        });
      }
      if (failures) throw new HandlersFailedError(failures);
    },
    handlers: () => entries.map((e) => e.name),
  };
  return bus;
}
