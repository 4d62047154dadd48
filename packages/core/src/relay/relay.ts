/**
 * The outbox relay: claims pending deliveries under a lease, runs durable handlers or
 * publishes to transports, and marks each delivery done, failed (with backoff) or dead.
 * Store-agnostic: it only speaks the OutboxStore port. Several relays may share a store.
 * Wakes on the store's `onAppend` signal, and polls as a fallback.
 */
import { setMaxListeners } from 'node:events';
import { ClosedError, ConfigurationError } from '../errors/errors.ts';
import type { Catalog } from '../event/catalog.ts';
import { createEventId } from '../event/id.ts';
import { currentInstrumentation } from '../instrumentation/hooks.ts';
import type { RetryPolicy } from '../middleware/backoff.ts';
import type { Inbox } from '../outbox/inbox.ts';
import type { Outbox } from '../outbox/outbox.ts';
import type { Delivery, DeliveryOutcome, DeliveryRef } from '../outbox/outbox-store.ts';
import { type MessageOptions, toTransportMessage } from '../transport/message.ts';
import type { Transport } from '../transport/transport.ts';
import { describeFailure, nextAttemptAt } from './outcome.ts';
import { runDurableHandler } from './run-handler.ts';

export interface RelayRouteTarget extends MessageOptions {
  readonly transport: Transport;
  /** Default: retry forever, backoff capped at 30 s (a broker outage must not dead-letter events). */
  readonly retry?: RetryPolicy;
}

export interface OutboxRelayOptions {
  /** Transports for the outbox's routes, by route name. */
  readonly transports?: Readonly<Record<string, RelayRouteTarget | Transport>>;
  /** Upcasts and validates stored events before handlers see them. */
  readonly catalog?: Catalog;
  /** Deliveries claimed per round. Default 100. */
  readonly batchSize?: number;
  /** Lease length; must exceed the slowest handler. Default 60 s. */
  readonly leaseMs?: number;
  /** Fallback polling when no wake-up arrives. Default 500 ms. */
  readonly pollIntervalMs?: number;
  /** Deliveries run at once (different subjects). Default 16. */
  readonly concurrency?: number;
  /** Unique id of this relay. Default: a fresh UUID. */
  readonly owner?: string;
  readonly clock?: () => number;
  readonly random?: () => number;
  /** Store or transport errors of the loop itself (it keeps going). Default: console.error. */
  readonly onError?: (error: unknown) => void;
  /**
   * Retention of the audit log: every `everyMs` (default 1 h) the running relay deletes
   * events older than `keepMs` whose deliveries are all done. Off when absent.
   */
  readonly retention?: { readonly keepMs: number; readonly everyMs?: number };
}

export interface OutboxRelay {
  /** Starts the background loop. */
  start(): void;
  /** One round: claim and process one batch. Resolves with how many deliveries it handled. */
  runOnce(): Promise<number>;
  /** Runs rounds until nothing is claimable right now (deliveries waiting for a retry stay). */
  drain(): Promise<void>;
  /** Wakes the loop now (e.g. after a commit in this process). */
  wake(): void;
  /** Stops: the batch in hand finishes, unstarted deliveries are released. */
  close(): Promise<void>;
}

const infinite: RetryPolicy = { maxAttempts: Number.POSITIVE_INFINITY, maxDelayMs: 30_000 };

/**
 * @example
 * const relay = createOutboxRelay(outbox, { transports: { broker: rabbit } });
 * relay.start();
 * process.on('SIGTERM', () => relay.close());
 */
export function createOutboxRelay<Tx>(outbox: Outbox<Tx>, options: OutboxRelayOptions = {}): OutboxRelay {
  const store = outbox.store;
  const clock = options.clock ?? Date.now;
  const owner = options.owner ?? `relay-${createEventId()}`;
  const batchSize = options.batchSize ?? 100;
  const leaseMs = options.leaseMs ?? 60_000;
  const concurrency = options.concurrency ?? 16;
  const onError = options.onError ?? ((error: unknown) => console.error('[tidings] relay error:', error));
  const handlers = new Map(outbox.handlers.map((h) => [h.name, h]));
  const routes = new Map<string, RelayRouteTarget>();
  for (const route of outbox.routes) {
    const target = options.transports?.[route.name];
    if (!target)
      throw new ConfigurationError(
        `Outbox route "${route.name}" has no transport; pass transports.${route.name}.`,
      );
    routes.set(route.name, 'publish' in target ? { transport: target } : target);
  }
  const consumers = [...handlers.keys(), ...routes.keys()];
  const runtime = {
    outbox,
    inbox: 'markProcessed' in store ? (store as unknown as Inbox<Tx>) : undefined,
    catalog: options.catalog,
  };
  const controller = new AbortController();
  // Every handler in flight listens for shutdown on this one signal.
  setMaxListeners(0, controller.signal);
  let closed = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let woken = false;

  const ref = (d: Delivery): DeliveryRef => ({ eventId: d.event.id, consumer: d.consumer, owner: d.owner });

  const failed = (delivery: Delivery, error: unknown, policy: RetryPolicy): DeliveryOutcome => {
    const retryAt = nextAttemptAt(error, delivery.attempt, policy, clock(), options.random);
    const message = describeFailure(error);
    if (retryAt !== null) return { ...ref(delivery), outcome: 'retry', error: message, retryAt };
    currentInstrumentation()?.onDeadLetter?.({ consumer: delivery.consumer, event: delivery.event, error });
    return { ...ref(delivery), outcome: 'dead', error: message };
  };

  const runHandlers = async (deliveries: Delivery[], settled: DeliveryOutcome[]) => {
    let next = 0;
    const worker = async () => {
      while (next < deliveries.length) {
        const delivery = deliveries[next++] as Delivery;
        const handler = handlers.get(delivery.consumer)!;
        try {
          await runDurableHandler(runtime, {
            handler,
            event: delivery.event,
            attempt: delivery.attempt,
            signal: controller.signal,
          });
          settled.push({ ...ref(delivery), outcome: 'done' });
        } catch (error) {
          settled.push(failed(delivery, error, handler.retry));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, deliveries.length) }, worker));
  };

  const runRoute = async (name: string, deliveries: Delivery[], settled: DeliveryOutcome[]) => {
    const target = routes.get(name)!;
    try {
      const messages = deliveries.map((d) => toTransportMessage(d.event, target));
      const wrap = currentInstrumentation()?.wrapPublish;
      if (!wrap) await target.transport.publish(messages);
      else {
        const events = deliveries.map((d) => d.event);
        const batch = { route: name, transport: target.transport.name, events, messages };
        await wrap(batch, () => target.transport.publish(messages));
      }
      for (const delivery of deliveries) settled.push({ ...ref(delivery), outcome: 'done' });
    } catch (error) {
      for (const delivery of deliveries) settled.push(failed(delivery, error, target.retry ?? infinite));
    }
  };

  const runOnce = async (): Promise<number> => {
    if (consumers.length === 0) return 0;
    const batch = await store.claim({ consumers, limit: batchSize, leaseMs, owner });
    if (batch.length === 0) return 0;
    const forHandlers: Delivery[] = [];
    const forRoutes = new Map<string, Delivery[]>();
    for (const delivery of batch) {
      if (handlers.has(delivery.consumer)) forHandlers.push(delivery);
      else forRoutes.set(delivery.consumer, [...(forRoutes.get(delivery.consumer) ?? []), delivery]);
    }
    const settled: DeliveryOutcome[] = [];
    await Promise.all([
      runHandlers(forHandlers, settled),
      ...[...forRoutes].map(([name, deliveries]) => runRoute(name, deliveries, settled)),
    ]);
    // One round trip for the whole round, whatever became of each delivery.
    await store.settle(settled);
    return batch.length;
  };

  const waitForWork = () =>
    new Promise<void>((resolve) => {
      if (woken || closed) {
        woken = false;
        return resolve();
      }
      const timer = setTimeout(finish, options.pollIntervalMs ?? 500);
      function finish() {
        clearTimeout(timer);
        wakeUp = undefined;
        woken = false;
        resolve();
      }
      wakeUp = finish;
    });

  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  const unsubscribe = store.onAppend?.(wake);

  let nextPrune = options.retention ? clock() : Number.POSITIVE_INFINITY;
  const prune = async () => {
    if (!options.retention || clock() < nextPrune) return;
    nextPrune = clock() + (options.retention.everyMs ?? 3_600_000);
    await store.prune(clock() - options.retention.keepMs);
  };

  const run = async () => {
    while (!closed) {
      let handled = 0;
      await prune().catch(onError);
      try {
        handled = await runOnce();
      } catch (error) {
        onError(error);
      }
      // A partial batch does not mean the backlog is empty: completing the head of a subject
      // makes its next event claimable. Only an empty round waits for a wake-up or the poll.
      if (handled === 0 && !closed) await waitForWork();
    }
  };

  return {
    start() {
      if (closed) throw new ClosedError('This relay was closed; create a new one.');
      loop ??= run();
    },
    runOnce,
    async drain() {
      while ((await runOnce()) > 0) {}
    },
    wake,
    async close() {
      if (closed) return loop;
      closed = true;
      unsubscribe?.();
      wake();
      await loop;
    },
  };
}
