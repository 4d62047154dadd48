/**
 * The innermost step: calls the handler with its middleware, in the ambient causation of
 * the event, with a context whose `publish` keeps correlation and sets causation. Follow-up
 * events go to the outbox: appended in the inbox transaction when there is one, so they
 * commit with the handler's effects, otherwise published on their own.
 */
import type { Handler } from '../../bus/handler.ts';
import { DoNotRetry } from '../../errors/errors.ts';
import { runAsCausedBy } from '../../event/ambient.ts';
import type { CreateEventOptions, EventDefinition } from '../../event/define-event.ts';
import type { AnyDomainEvent } from '../../event/envelope.ts';
import { withMiddleware } from '../../middleware/middleware.ts';
import type { DurableHandler, DurableHandlerContext } from '../../outbox/durable-handler.ts';
import type { Outbox } from '../../outbox/outbox.ts';
import { done, doneNow, type Outcome } from '../outcome.ts';
import type { PipelineRun, Step } from '../run.ts';

// A function of the module, not a closure made per run: most handlers never publish.
async function publishFrom<Tx>(
  run: PipelineRun<Tx>,
  outbox: Outbox<Tx> | undefined,
  events: readonly AnyDomainEvent[],
): Promise<void> {
  if (!outbox)
    throw new DoNotRetry(`Handler "${run.handler.name}" published events but no outbox is configured.`);
  if (run.tx !== undefined) await outbox.append(run.tx, events);
  else await outbox.publish(events);
}

function contextOf<Tx>(run: PipelineRun<Tx>, outbox: Outbox<Tx> | undefined): DurableHandlerContext<Tx> {
  const { handler, event } = run;
  return {
    handler: handler.name,
    attempt: run.attempt,
    // `tx` is undefined exactly for handlers without the inbox, whose context type says so.
    tx: run.tx as Tx,
    get signal() {
      return run.signal;
    },
    publish(
      definitionOrEvent: EventDefinition | AnyDomainEvent,
      payload?: unknown,
      options?: CreateEventOptions,
    ) {
      if ('create' in definitionOrEvent)
        return publishFrom(run, outbox, [
          definitionOrEvent.create(payload as never, { causedBy: event, ...options }),
        ]);
      return publishFrom(run, outbox, [definitionOrEvent]);
    },
  } as DurableHandlerContext<Tx>;
}

/** The handler step of a pipeline; middleware chains are built once per handler, not per run. */
const toDone = (): Outcome => done;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

export function handlerStep<Tx>(outbox: Outbox<Tx> | undefined, ambient = true): Step<Tx> {
  const chains = new WeakMap<DurableHandler<Tx>, Handler>();
  const chainOf = (handler: DurableHandler<Tx>): Handler => {
    if (handler.middleware.length === 0) return handler.handle as Handler;
    let chain = chains.get(handler);
    if (!chain) {
      chain = withMiddleware(handler.handle as Handler, ...handler.middleware);
      chains.set(handler, chain);
    }
    return chain;
  };
  return (run) => {
    const handle = chainOf(run.handler);
    const { event } = run;
    let result: unknown;
    try {
      const context = contextOf(run, outbox);
      result = ambient
        ? runAsCausedBy(event, handle, event as never, context as never)
        : handle(event as never, context as never);
    } catch (error) {
      return Promise.reject(error);
    }
    // A synchronous handler (no promise back) costs no promise here: with AsyncLocalStorage
    // installed every promise pays Node's promise hooks, a measurable share per message.
    return isThenable(result) ? Promise.resolve(result).then(toDone) : doneNow;
  };
}
