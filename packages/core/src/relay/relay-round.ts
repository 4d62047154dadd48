/**
 * One relay round: the deliveries of one claim run (durable handlers, each in a shared
 * concurrency slot) or are published (one ordered publish per route, runs of a subject in
 * position order), and every outcome goes back to the store in one `settle`.
 *
 * Shutdown: once the relay is closing, deliveries not yet started are released; when the
 * close grace runs out the round is sealed: what finished is settled, what never started is
 * released, and what is still running keeps its lease (another relay takes it over when the
 * lease expires), so nothing is lost and nothing is settled twice.
 */
import { currentInstrumentation } from '../instrumentation/hooks.ts';
import type { RetryPolicy } from '../middleware/backoff.ts';
import type { DurableHandler } from '../outbox/durable-handler.ts';
import type { Delivery, DeliveryOutcome, DeliveryQueue, DeliveryRef } from '../outbox/outbox-store.ts';
import { type MessageOptions, toTransportMessage } from '../transport/message.ts';
import type { Transport } from '../transport/transport.ts';
import type { Limiter } from './limiter.ts';
import { describeFailure, nextAttemptAt } from './outcome.ts';
import { type HandlerRuntime, runDurableHandler } from './run-handler.ts';

export interface RelayRouteTarget extends MessageOptions {
  readonly transport: Transport;
  /** Default: retry forever, backoff capped at 30 s (a broker outage must not dead-letter events). */
  readonly retry?: RetryPolicy;
}

/** What every round of one relay shares. */
export interface RoundContext<Tx> {
  readonly queue: DeliveryQueue;
  readonly handlers: ReadonlyMap<string, DurableHandler<Tx>>;
  readonly routes: ReadonlyMap<string, RelayRouteTarget>;
  readonly runtime: HandlerRuntime<Tx>;
  /** Handler slots shared by all rounds in flight. */
  readonly slots: Limiter;
  /** Aborted when the close grace runs out. */
  readonly signal: AbortSignal;
  /** Resolves when the close grace runs out: seal now, do not wait for stragglers. */
  readonly abandoned: Promise<void>;
  readonly closing: () => boolean;
  readonly clock: () => number;
  readonly random: (() => number) | undefined;
  /** Publish failures (broker outages), rate-limited by the relay. */
  readonly reportOutage: (route: string, error: unknown) => void;
}

const retryForever: RetryPolicy = { maxAttempts: Number.POSITIVE_INFINITY, maxDelayMs: 30_000 };

const ref = (d: Delivery): DeliveryRef => ({ eventId: d.event.id, consumer: d.consumer, owner: d.owner });

/** Runs one claimed batch to its outcomes and settles them in one call. */
export async function runRound<Tx>(context: RoundContext<Tx>, batch: readonly Delivery[]): Promise<void> {
  const outcomes = new Map<Delivery, DeliveryOutcome>();
  const started = new Set<Delivery>();
  let sealed = false;
  const record = (delivery: Delivery, outcome: DeliveryOutcome) => {
    if (!sealed) outcomes.set(delivery, outcome);
  };
  const failed = (delivery: Delivery, error: unknown, policy: RetryPolicy): DeliveryOutcome => {
    const retryAt = nextAttemptAt(error, delivery.attempt, policy, context.clock(), context.random);
    const message = describeFailure(error);
    if (retryAt !== null) return { ...ref(delivery), outcome: 'retry', error: message, retryAt };
    currentInstrumentation()?.onDeadLetter?.({ consumer: delivery.consumer, event: delivery.event, error });
    return { ...ref(delivery), outcome: 'dead', error: message };
  };

  const runHandler = (delivery: Delivery, handler: DurableHandler<Tx>) =>
    context.slots(async () => {
      if (sealed || context.closing()) return;
      started.add(delivery);
      const { event, attempt } = delivery;
      try {
        await runDurableHandler(context.runtime, { handler, event, attempt, signal: context.signal });
        record(delivery, { ...ref(delivery), outcome: 'done' });
      } catch (error) {
        record(delivery, failed(delivery, error, handler.retry));
      }
    });

  const publishRoute = async (name: string, deliveries: readonly Delivery[]) => {
    if (context.closing()) return;
    const target = context.routes.get(name) as RelayRouteTarget;
    for (const delivery of deliveries) started.add(delivery);
    try {
      const { catalog } = context.runtime;
      const messages = deliveries.map((d) => toTransportMessage(d.event, { catalog, ...target }));
      const wrap = currentInstrumentation()?.wrapPublish;
      if (!wrap) await target.transport.publish(messages);
      else {
        const events = deliveries.map((d) => d.event);
        const { name: transport, telemetry } = target.transport;
        const info = { route: name, transport, events, messages, telemetry };
        await wrap(info, () => target.transport.publish(messages));
      }
      for (const delivery of deliveries) record(delivery, { ...ref(delivery), outcome: 'done' });
    } catch (error) {
      context.reportOutage(name, error);
      for (const delivery of deliveries)
        record(delivery, failed(delivery, error, target.retry ?? retryForever));
    }
  };

  const tasks: Promise<void>[] = [];
  const byRoute = new Map<string, Delivery[]>();
  for (const delivery of batch) {
    const handler = context.handlers.get(delivery.consumer);
    if (handler) tasks.push(runHandler(delivery, handler));
    else byRoute.set(delivery.consumer, [...(byRoute.get(delivery.consumer) ?? []), delivery]);
  }
  for (const [name, deliveries] of byRoute) tasks.push(publishRoute(name, deliveries));
  await Promise.race([Promise.all(tasks), context.abandoned]);
  sealed = true;

  const settled: DeliveryOutcome[] = [];
  for (const delivery of batch) {
    const outcome = outcomes.get(delivery);
    if (outcome) settled.push(outcome);
    else if (!started.has(delivery)) settled.push({ ...ref(delivery), outcome: 'released' });
  }
  // One round trip for the whole round, whatever became of each delivery.
  await context.queue.settle(settled);
}
