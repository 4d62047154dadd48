/**
 * Runs one durable handler for one delivery: optional upcast/validation through the
 * catalog, the inbox transaction, the timeout, and follow-up events published from the
 * handler's context with causation kept.
 */
import { createHandlerContext } from '../bus/context.ts';
import type { Handler } from '../bus/handler.ts';
import { DoNotRetry, TimeoutError } from '../errors/errors.ts';
import { runAsCausedBy } from '../event/ambient.ts';
import type { Catalog, RawEvent } from '../event/catalog.ts';
import type { AnyDomainEvent } from '../event/envelope.ts';
import { currentInstrumentation } from '../instrumentation/hooks.ts';
import type { HandlerDelivery } from '../instrumentation/messaging.ts';
import { withMiddleware } from '../middleware/middleware.ts';
import type { DurableHandler, DurableHandlerContext } from '../outbox/durable-handler.ts';
import type { Inbox } from '../outbox/inbox.ts';
import { createInboxCommitter, type InboxCommitter } from '../outbox/inbox-committer.ts';
import type { Outbox } from '../outbox/outbox.ts';

export interface HandlerRun<Tx> {
  readonly handler: DurableHandler<Tx>;
  readonly event: AnyDomainEvent;
  readonly attempt: number;
  readonly signal: AbortSignal;
  /** The broker delivery, when a consumer runs it (for tracing). */
  readonly delivery?: HandlerDelivery | undefined;
}

export interface HandlerRuntime<Tx> {
  /** Where follow-up events go: the outbox (in the inbox transaction when there is one). */
  readonly outbox: Outbox<Tx> | undefined;
  readonly inbox: Inbox<Tx> | undefined;
  readonly catalog: Catalog | undefined;
}

function decode(catalog: Catalog | undefined, event: AnyDomainEvent): AnyDomainEvent {
  if (!catalog) return event;
  try {
    return catalog.decode(event as RawEvent);
  } catch (error) {
    // An event that cannot be decoded will not decode on a retry either.
    throw new DoNotRetry(
      `Event ${event.id} of type ${event.type} cannot be decoded: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * The per-run abort signal, made only when the handler reads `context.signal`: most handlers
 * never do, and an AbortController plus a listener on the relay's signal per message is a
 * measurable share of a no-op handler's cost.
 */
function lazySignal(parent: AbortSignal) {
  let controller: AbortController | undefined;
  let reason: unknown;
  const onAbort = () => controller?.abort(parent.reason);
  return {
    get signal(): AbortSignal {
      if (!controller) {
        controller = new AbortController();
        if (reason !== undefined) controller.abort(reason);
        else if (parent.aborted) controller.abort(parent.reason);
        else parent.addEventListener('abort', onAbort, { once: true });
      }
      return controller.signal;
    },
    abort(error: unknown) {
      reason = error;
      controller?.abort(error);
    },
    dispose() {
      if (controller) parent.removeEventListener('abort', onAbort);
    },
  };
}

async function withTimeout<T>(
  ms: number,
  name: string,
  onTimeout: (error: TimeoutError) => void,
  work: () => Promise<T>,
) {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TimeoutError(`Durable handler "${name}" did not finish within ${ms} ms.`);
      onTimeout(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([work(), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One committer per runtime (a relay's or a consumer's), so runs of one runtime that arrive
 * in the same tick share a transaction. Made on first use.
 */
const committers = new WeakMap<HandlerRuntime<unknown>, InboxCommitter<unknown>>();

function committerOf<Tx>(runtime: HandlerRuntime<Tx>, inbox: Inbox<Tx>): InboxCommitter<Tx> {
  let committer = committers.get(runtime as HandlerRuntime<unknown>);
  if (!committer) {
    committer = createInboxCommitter(inbox) as InboxCommitter<unknown>;
    committers.set(runtime as HandlerRuntime<unknown>, committer);
  }
  return committer as InboxCommitter<Tx>;
}

/** Runs the handler; resolves when it succeeded (or the inbox says it already had). */
export async function runDurableHandler<Tx>(runtime: HandlerRuntime<Tx>, run: HandlerRun<Tx>): Promise<void> {
  const wrap = currentInstrumentation()?.wrapHandler;
  if (!wrap) return runHandlerOnce(runtime, run);
  const info = { handler: run.handler.name, event: run.event, attempt: run.attempt, delivery: run.delivery };
  return wrap(info, () => runHandlerOnce(runtime, run));
}

async function runHandlerOnce<Tx>(runtime: HandlerRuntime<Tx>, run: HandlerRun<Tx>): Promise<void> {
  const { handler, attempt } = run;
  const event = decode(runtime.catalog, run.event);
  const abort = lazySignal(run.signal);

  const invoke = async (tx: Tx | undefined) => {
    const sink = async (events: readonly AnyDomainEvent[]) => {
      if (!runtime.outbox)
        throw new DoNotRetry(`Handler "${handler.name}" published events but no outbox is configured.`);
      if (tx !== undefined) await runtime.outbox.append(tx, events);
      else await runtime.outbox.publish(events);
    };
    const base = createHandlerContext(handler.name, event, sink, attempt);
    const context: DurableHandlerContext<Tx> = {
      ...base,
      publish: base.publish,
      // `tx` is undefined exactly for handlers without the inbox, whose context type says so.
      tx: tx as Tx,
      get signal() {
        return abort.signal;
      },
    };
    const handle =
      handler.middleware.length === 0
        ? handler.handle
        : withMiddleware(handler.handle as Handler, ...handler.middleware);
    await runAsCausedBy(event, () => handle(event as never, context));
  };

  try {
    await withTimeout(handler.timeoutMs, handler.name, abort.abort, async () => {
      if (!handler.inbox) return invoke(undefined);
      const inbox = runtime.inbox;
      if (!inbox) throw new DoNotRetry(`Handler "${handler.name}" wants an inbox but the store has none.`);
      await committerOf(runtime, inbox).run(handler.name, event.id, invoke);
    });
  } finally {
    abort.dispose();
  }
}
