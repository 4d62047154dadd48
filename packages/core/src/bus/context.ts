/** Builds the context a handler receives; `publish` goes back through the given sink. */
import type { CreateEventOptions, EventDefinition } from '../event/define-event.ts';
import type { AnyDomainEvent } from '../event/envelope.ts';
import type { HandlerContext } from './handler.ts';

const neverAborted = new AbortController().signal;

export type PublishSink = (events: readonly AnyDomainEvent[]) => Promise<void>;

export function createHandlerContext(
  handler: string,
  cause: AnyDomainEvent,
  sink: PublishSink,
  attempt = 1,
  signal: AbortSignal = neverAborted,
): HandlerContext {
  return {
    handler,
    attempt,
    signal,
    publish(
      definitionOrEvent: EventDefinition | AnyDomainEvent,
      payload?: unknown,
      options?: CreateEventOptions,
    ) {
      if ('create' in definitionOrEvent) {
        const event = definitionOrEvent.create(payload as never, { causedBy: cause, ...options });
        return sink([event]);
      }
      return sink([definitionOrEvent]);
    },
  } as HandlerContext;
}

/** A copy of `context` with another attempt number and signal (used by retry and timeout). */
export function withAttempt(
  context: HandlerContext,
  attempt: number,
  signal = context.signal,
): HandlerContext {
  return { ...context, attempt, signal, publish: context.publish };
}
