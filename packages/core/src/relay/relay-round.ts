/**
 * One relay round: the deliveries of one claim run through the delivery pipeline (durable
 * handlers, each in a shared concurrency slot) or are published (one ordered publish per route, runs of a subject in
 * position order), and every outcome goes back to the store in one `settle`.
 *
 * Leases: a delivery the relay no longer holds when its turn comes (another owner claimed it
 * after the lease ran out) is not started; the round's deliveries stop being extended once
 * the round settles.
 *
 * Shutdown: once the relay is closing, deliveries not yet started are released; when the
 * close grace runs out the round is sealed: what finished is settled, what never started is
 * released, and what is still running keeps its lease (another relay takes it over when the
 * lease expires), so nothing is lost and nothing is settled twice.
 */

import type { Catalog } from '../event/catalog.ts';
import { currentInstrumentation } from '../instrumentation/hooks.ts';
import type { RetryPolicy } from '../middleware/backoff.ts';
import type { DurableHandler } from '../outbox/durable-handler.ts';
import type { Delivery, DeliveryOutcome, DeliveryQueue, DeliveryRef } from '../outbox/outbox-store.ts';
import { describeFailure, nextAttemptAt, type Outcome } from '../pipeline/outcome.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import { type MessageOptions, toTransportMessage } from '../transport/message.ts';
import type { Transport } from '../transport/transport.ts';
import type { LeaseKeeper } from './lease-keeper.ts';
import type { Limiter } from './limiter.ts';

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
  /** Runs durable handlers: decode, timeout, inbox, retry decision (aborted when the close grace runs out). */
  readonly pipeline: Pipeline<Tx>;
  /** Encodes events for routes. */
  readonly catalog: Catalog | undefined;
  /** Handler slots shared by all rounds in flight. */
  readonly slots: Limiter;
  /** The leases the relay holds and extends; a delivery it no longer holds is not started. */
  readonly leases: Pick<LeaseKeeper, 'holds' | 'release'>;
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

const doneOf = (d: Delivery): DeliveryOutcome => ({
  eventId: d.event.id,
  consumer: d.consumer,
  owner: d.owner,
  outcome: 'done',
});

/** A pipeline outcome as the delivery queue settles it. */
function settleOf(delivery: Delivery, outcome: Outcome): DeliveryOutcome {
  switch (outcome.kind) {
    case 'done':
      return doneOf(delivery);
    case 'retry':
      return { ...ref(delivery), outcome: 'retry', error: outcome.reason, retryAt: outcome.at };
    case 'dead':
      return { ...ref(delivery), outcome: 'dead', error: outcome.reason };
    case 'released':
      return { ...ref(delivery), outcome: 'released' };
  }
}

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
      // Lost to another owner, or its lease ran out unextended: that owner may be running it.
      if (sealed || context.closing() || !context.leases.holds(delivery)) return;
      started.add(delivery);
      // The pipeline never rejects; it says `released` when the relay started closing meanwhile.
      const outcome = await context.pipeline.run(handler, delivery);
      record(delivery, settleOf(delivery, outcome));
    });

  const publishRoute = async (name: string, claimed: readonly Delivery[]) => {
    if (context.closing()) return;
    // Up to the first delivery no longer held: its followers in a subject must not overtake it.
    const lost = claimed.findIndex((d) => !context.leases.holds(d));
    const deliveries = lost === -1 ? claimed : claimed.slice(0, lost);
    if (deliveries.length === 0) return;
    const target = context.routes.get(name) as RelayRouteTarget;
    for (const delivery of deliveries) started.add(delivery);
    try {
      // One options object per route and round, not one per message.
      const options = { catalog: context.catalog, ...target };
      const messages = deliveries.map((d) => toTransportMessage(d.event, options));
      const wrap = currentInstrumentation()?.wrapPublish;
      if (!wrap) await target.transport.publish(messages);
      else {
        const events = deliveries.map((d) => d.event);
        const { name: transport, telemetry } = target.transport;
        const info = { route: name, transport, events, messages, telemetry };
        await wrap(info, () => target.transport.publish(messages));
      }
      for (const delivery of deliveries) record(delivery, doneOf(delivery));
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
    else {
      // Pushed, not copied: a copy per delivery made grouping a round of 500 quadratic.
      const route = byRoute.get(delivery.consumer);
      if (route) route.push(delivery);
      else byRoute.set(delivery.consumer, [delivery]);
    }
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
  // Settling: no more extensions. One round trip for the whole round, whatever became of each delivery.
  context.leases.release(batch);
  await context.queue.settle(settled);
}
