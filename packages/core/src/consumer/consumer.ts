/**
 * The consumer runtime: the delivery pipeline (the same one the relay runs) over a transport
 * subscription, one consumer group per handler (the handler's name), so each handler
 * retries and dead-letters on its own. For each message the pipeline decodes the CloudEvent,
 * upcasts and validates, then runs the handler (inbox for effects-once, timeout,
 * middleware); its outcome becomes the broker's answer: done is an ack, retry a rejection
 * with the handler's backoff as `retryDelayMs`, dead a record in the dead-letter sink and
 * an ack, so one poison message never stops the consumer. The broker's delivery count is
 * the attempt: one retry budget, the handler's.
 */

import { TidingsError } from '../errors/tidings-error.ts';
import type { Catalog } from '../event/catalog.ts';
import { defaultRetryPolicy } from '../middleware/backoff.ts';
import type { DurableHandler } from '../outbox/durable-handler.ts';
import type { Inbox } from '../outbox/inbox.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { requireInboxFor } from '../outbox/require-inbox.ts';
import type { Outcome } from '../pipeline/outcome.ts';
import { createPipeline } from '../pipeline/pipeline.ts';
import { fromTransportMessage, topicOfType } from '../transport/message.ts';
import type { ReceivedMessage, Subscription, Transport } from '../transport/transport.ts';
import { createDeadLetterHooks } from './dead-letter-hooks.ts';
import type { DeadLetterSink } from './dead-letter-sink.ts';

export interface ConsumerOptions<Tx> {
  readonly transport: Transport;
  readonly catalog: Catalog;
  readonly handlers: readonly DurableHandler<Tx>[];
  /** Where poison and exhausted messages go. */
  readonly deadLetters: DeadLetterSink;
  /** Needed by handlers declared with `inbox: true`: the consumer's own database. */
  readonly inbox?: Inbox<Tx>;
  /** Where follow-up events published by handlers go. */
  readonly outbox?: Outbox<Tx>;
  /** Prefix of every group name (e.g. the service name). Default none. */
  readonly groupPrefix?: string;
  /** Topic of an event type; must match the producer's. Default: the definition's `topic` (the type unless set). */
  readonly topic?: (type: string) => string;
  /** Messages in flight per handler; per-key order holds where the transport declares it. Default 8. */
  readonly concurrency?: number;
  readonly clock?: () => number;
  /**
   * Whether events created anywhere in a handler's call tree (`Definition.create`) inherit
   * the handled event as their cause. Default true. Off, handlers run without an
   * AsyncLocalStorage scope (on Node 20 the first one switches on promise hooks that every
   * later promise of the process pays); `context.publish(Definition, payload)` keeps
   * correlation and causation either way, since the context names its cause explicitly.
   */
  readonly ambientCausation?: boolean;
}

export interface Consumer {
  /** Subscribes every handler; resolves when all are ready to receive. */
  start(): Promise<void>;
  /** Stops receiving and waits for in-flight handlers. */
  close(): Promise<void>;
}

/** Asks the transport to redeliver after `retryDelayMs`. */
class Redeliver extends TidingsError {
  static override readonly code: string = 'TIDINGS_REDELIVER';
  readonly retryDelayMs: number;
  constructor(reason: string, cause: unknown, retryDelayMs: number) {
    super(`Handler failed; redelivering in ${retryDelayMs} ms: ${reason}`, { cause });
    this.retryDelayMs = retryDelayMs;
  }
}

/**
 * @example
 * const consumer = createConsumer({ transport, catalog, handlers: [sendEmail], deadLetters: transportDeadLetterSink(transport) });
 * await consumer.start();
 */
export function createConsumer<Tx>(options: ConsumerOptions<Tx>): Consumer {
  const clock = options.clock ?? Date.now;
  const topic = options.topic ?? ((type: string) => topicOfType(type, options.catalog));
  const controller = new AbortController();
  const subscriptions: Subscription[] = [];
  const hooks = createDeadLetterHooks(options.deadLetters, options.transport, clock);
  requireInboxFor(options.handlers, options.inbox, {
    runtime: 'this consumer',
    remedy:
      "Pass createConsumer({ inbox }) (a store of the consumer's own database, or an ORM adapter's), or drop inbox: true.",
  });
  const pipeline = createPipeline({
    catalog: options.catalog,
    inbox: options.inbox,
    outbox: options.outbox,
    clock,
    signal: controller.signal,
    ambientCausation: options.ambientCausation,
  });

  // Built once, not per message: the receive time for foreign events without `time`, and the
  // transport's name and telemetry for the handler run.
  const receivedAt = () => new Date(clock()).toISOString();
  const { name: transport, telemetry } = options.transport;

  const settle = (handler: DurableHandler<Tx>, group: string, message: ReceivedMessage, outcome: Outcome) => {
    switch (outcome.kind) {
      case 'done':
        hooks.firstFailures.forget(handler.name, message.id);
        return;
      case 'retry':
        hooks.firstFailures.failed(handler.name, message.id, clock());
        throw new Redeliver(outcome.reason, outcome.error, Math.max(0, outcome.at - clock()));
      case 'released':
        throw new Redeliver('the consumer is closing', undefined, 0);
      case 'dead':
        // The sink MUST keep the record before resolving: the message is acked right after.
        return options.deadLetters.put({
          handler: handler.name,
          group,
          reason: outcome.reason,
          code: outcome.code,
          attempts: message.deliveryCount,
          ...hooks.failureTimes(handler.name, message.id),
          message,
        });
    }
  };

  const skippedNow = Promise.resolve();
  // Not an async function: the pipeline's promise plus one `then` is all a message costs here.
  const handle =
    (handler: DurableHandler<Tx>, group: string) =>
    (message: ReceivedMessage): Promise<void> => {
      if (hooks.isRedriveForAnotherGroup(message, group)) return skippedNow;
      return pipeline
        .run(handler, {
          event: () => fromTransportMessage(message, receivedAt),
          attempt: Math.max(1, message.deliveryCount),
          delivery: { transport, telemetry, group, message },
        })
        .then((outcome) => settle(handler, group, message, outcome));
    };

  // One budget: the transport's backstop must not act before the pipeline does, which
  // dead-letters on the last failed attempt or (budget step) on delivery maxAttempts + 1.
  // An unbounded budget asks nothing: the transport's own option stays the backstop.
  const deliveryBudget = (handler: DurableHandler<Tx>): { maxDeliveries?: number } => {
    const maxAttempts = handler.retry.maxAttempts ?? defaultRetryPolicy.maxAttempts;
    return Number.isFinite(maxAttempts) ? { maxDeliveries: maxAttempts + 1 } : {};
  };

  const topicsOf = (handler: DurableHandler<Tx>): string[] => {
    const types = handler.types === '*' ? options.catalog.definitions.map((d) => d.type) : handler.types;
    // Types sharing a topic (one aggregate's lane) subscribe it once; `handle` skips other types.
    return [...new Set(types.map(topic))];
  };

  return {
    async start() {
      for (const handler of options.handlers) {
        const group = `${options.groupPrefix ?? ''}${handler.name}`;
        const subscription = await options.transport.subscribe(
          {
            group,
            topics: topicsOf(handler),
            concurrency: options.concurrency ?? 8,
            ...deliveryBudget(handler),
          },
          handle(handler, group),
          { signal: controller.signal },
        );
        subscriptions.push(subscription);
      }
      hooks.start();
    },
    async close() {
      await Promise.all([hooks.close(), ...subscriptions.map((s) => s.close())]);
      controller.abort();
    },
  };
}
