/**
 * The outbox relay: claims pending deliveries under a lease, runs durable handlers through
 * the delivery pipeline (the same one the consumer runs over a broker) or publishes to
 * transports, and settles each round's outcomes (done, retry, dead, released)
 * in one call. Store-agnostic: it only speaks the DeliveryQueue port. Several relays may
 * share a store. Several rounds are in flight at once (the next claim goes out while the
 * previous round waits for broker acks); routes claim runs of one subject, so a hot
 * aggregate moves many events per round. The leases of every claimed delivery not yet
 * settled are extended in one batched call, on the deadline wheel the handler timeouts use,
 * so a delivery waiting for a handler slot never passes to another relay. Wakes on the
 * store's `onAppend` signal, and polls as a fallback.
 */
import { ClosedError, ConfigurationError } from '../errors/errors.ts';
import type { Catalog } from '../event/catalog.ts';
import { createEventId } from '../event/id.ts';
import type { Inbox } from '../outbox/inbox.ts';
import type { Outbox } from '../outbox/outbox.ts';
import type { Delivery } from '../outbox/outbox-store.ts';
import { requireInboxFor } from '../outbox/require-inbox.ts';
import { createDeadlineWheel } from '../pipeline/deadline-wheel.ts';
import { createPipeline } from '../pipeline/pipeline.ts';
import type { Transport } from '../transport/transport.ts';
import { createErrorThrottle } from './error-throttle.ts';
import { createLeaseKeeper } from './lease-keeper.ts';
import { createLimiter } from './limiter.ts';
import { type RelayRouteTarget, type RoundContext, runRound } from './relay-round.ts';
import { createWakeSignal } from './wake-signal.ts';

export type { RelayRouteTarget } from './relay-round.ts';

export interface OutboxRelayOptions {
  /** Transports for the outbox's routes, by route name. */
  readonly transports?: Readonly<Record<string, RelayRouteTarget | Transport>>;
  /** Upcasts and validates stored events before handlers see them. */
  readonly catalog?: Catalog;
  /** Deliveries claimed per round. Default 500. */
  readonly batchSize?: number;
  /**
   * Rounds in flight at once: the next claim goes out while earlier rounds still run
   * handlers or wait for broker acks. Handler concurrency stays `concurrency` overall. Default 4.
   */
  readonly claimsInFlight?: number;
  /**
   * How long a claim holds its deliveries against other relays. The relay extends the leases
   * of every delivery it holds, in one batched call a third of a lease before they end, so a
   * delivery may wait for a handler slot and its handler may run longer than `leaseMs`. It is
   * how soon another relay takes the deliveries over when this one stops extending (crashed,
   * hung, or cut off from the store): shorter means faster takeover and more frequent
   * extensions (about three per lease, one call each). Default 60 s.
   */
  readonly leaseMs?: number;
  /** Fallback polling when no wake-up arrives. Default 500 ms. */
  readonly pollIntervalMs?: number;
  /** Durable handler calls at once (different subjects), across all rounds. Default 16. */
  readonly concurrency?: number;
  /**
   * How long `close()` lets started work finish before it aborts handlers' signals and
   * stops waiting. Default 10 s.
   */
  readonly closeGraceMs?: number;
  /** Unique id of this relay. Default: a fresh UUID. */
  readonly owner?: string;
  readonly clock?: () => number;
  readonly random?: () => number;
  /**
   * Whether events created anywhere in a handler's call tree (`Definition.create`) inherit
   * the handled event as their cause. Default true. Off, handlers run without an
   * AsyncLocalStorage scope (on Node 20 the first one switches on promise hooks that every
   * later promise of the process pays); `context.publish(Definition, payload)` keeps
   * correlation and causation either way, since the context names its cause explicitly.
   */
  readonly ambientCausation?: boolean;
  /**
   * Store or transport errors of the loop itself (it keeps going). A failure that repeats
   * (a broker or database outage) is reported at once, then at most once per
   * `errorIntervalMs` with a count of the reports held back. Default: console.error.
   */
  readonly onError?: (error: unknown) => void;
  /** Default 10 s. */
  readonly errorIntervalMs?: number;
  /**
   * Retention of the audit log and the inbox: every `everyMs` (default 1 h) the running
   * relay deletes events older than `keepMs` whose deliveries are all done, and inbox
   * records older than `inboxKeepMs` (default `keepMs`) when the store has `pruneInbox`.
   * Keep inbox records longer than any redelivery can arrive. Off when absent.
   */
  readonly retention?: { readonly keepMs: number; readonly everyMs?: number; readonly inboxKeepMs?: number };
}

export interface OutboxRelay {
  /** Starts the background loops. */
  start(): void;
  /** One round: claim and process one batch. Resolves with how many deliveries it claimed. */
  runOnce(): Promise<number>;
  /**
   * Runs rounds, `claimsInFlight` at a time, until nothing is claimable right now
   * (deliveries waiting for a retry stay).
   */
  drain(): Promise<void>;
  /** Wakes the loops now (e.g. after a commit in this process). */
  wake(): void;
  /**
   * Stops claiming; deliveries claimed but not started are released; started work gets
   * `closeGraceMs` to finish, then handlers' `context.signal` aborts and close resolves.
   * A delivery still running then keeps its lease and is redelivered after it expires; a
   * late result is never settled, so nothing is settled twice.
   */
  close(): Promise<void>;
}

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
  const batchSize = options.batchSize ?? 500;
  const leaseMs = options.leaseMs ?? 60_000;
  const claimsInFlight = Math.max(1, options.claimsInFlight ?? 4);
  const onError = options.onError ?? ((error: unknown) => console.error('[tidings] relay error:', error));
  const throttle = createErrorThrottle(onError, options.errorIntervalMs ?? 10_000, clock);
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
  // Routes publish a subject's run in order on one lane; handlers keep head-of-queue parking.
  const runs = [...routes.keys()];
  // Aborts the signal of every handler still running when the close grace runs out.
  const controller = new AbortController();
  let abandon!: () => void;
  const abandoned = new Promise<void>((resolve) => {
    abandon = resolve;
  });
  let closed = false;
  const inbox = 'markProcessed' in store ? (store as unknown as Inbox<Tx>) : undefined;
  requireInboxFor(outbox.handlers, inbox, {
    runtime: 'this relay: the outbox store has no markProcessed',
    remedy:
      'Give the outbox a store that is also an Inbox (memory, SQLite, PostgreSQL or an ORM adapter), or drop inbox: true.',
  });
  // One timer for the relay: handler timeouts and lease extensions share this wheel.
  const now = () => performance.now();
  const wheel = createDeadlineWheel({ now });
  const leases = createLeaseKeeper({
    queue: store,
    leaseMs,
    wheel,
    now,
    onError: (error) => throttle.report('extend leases', error),
  });
  const context: RoundContext<Tx> = {
    queue: store,
    handlers,
    routes,
    pipeline: createPipeline({
      wheel,
      catalog: options.catalog,
      inbox,
      outbox,
      clock,
      random: options.random,
      signal: controller.signal,
      closing: () => closed,
      ambientCausation: options.ambientCausation,
    }),
    catalog: options.catalog,
    slots: createLimiter(options.concurrency ?? 16),
    leases,
    abandoned,
    closing: () => closed,
    clock,
    random: options.random,
    reportOutage: (route, error) => throttle.report(`route "${route}"`, error),
  };
  const signal = createWakeSignal();
  let loops: Promise<void>[] = [];

  // One claim at a time per relay: rounds overlap their publishing and settling, not their
  // claims. Claims racing each other after one wake-up each paid a transaction to find
  // that the first had leased everything (1.95 empty claims per event at 1k events/s).
  const oneClaim = createLimiter(1);
  // What the last claim that came back short saw: nothing more was claimable then. Until an
  // append (the wake signal's generation) or a settle changes that, a loop woken after it
  // need not ask the store again (see `round`).
  let claims = 0;
  let settles = 0;
  let exhausted:
    | { readonly generation: number; readonly settles: number; readonly claim: number }
    | undefined;
  const nothing: { batch: readonly Delivery[]; at: number } = { batch: [], at: 0 };

  /**
   * One round. `sleptAfter` (the background loop's): the claim count when that loop went to
   * sleep; a claim that came back short since then, with no append or settle after it, left
   * nothing to find, so the loop skips its own. At most a poll interval late for what only
   * time makes claimable (a retry falling due, a lease running out), which the next poll
   * finds anyway.
   */
  const round = async (sleptAfter?: number): Promise<number> => {
    if (consumers.length === 0 || closed) return 0;
    const { batch, at: claimedAt } = await oneClaim(async () => {
      const generation = signal.generation();
      if (
        sleptAfter !== undefined &&
        exhausted !== undefined &&
        exhausted.claim > sleptAfter &&
        exhausted.generation === generation &&
        exhausted.settles === settles
      )
        return nothing;
      const claim = ++claims;
      const seen = { generation, settles, claim };
      // Before the claim goes out: the store's lease starts later, so this end is never late.
      const at = now();
      const claimed = await store.claim({ consumers, runs, limit: batchSize, leaseMs, owner });
      exhausted = claimed.length < batchSize ? seen : undefined;
      return { batch: claimed, at };
    });
    if (batch.length === 0) return 0;
    leases.hold(batch, claimedAt);
    try {
      await runRound(context, batch);
    } finally {
      leases.release(batch);
      // Settling the head of a subject may make its next event claimable.
      settles += 1;
    }
    return batch.length;
  };
  const runOnce = (): Promise<number> => round();

  const unsubscribe = store.onAppend?.(signal.wake);

  let nextPrune = options.retention ? clock() : Number.POSITIVE_INFINITY;
  const prune = async () => {
    if (!options.retention || clock() < nextPrune) return;
    nextPrune = clock() + (options.retention.everyMs ?? 3_600_000);
    const { keepMs, inboxKeepMs = keepMs } = options.retention;
    await store.prune(clock() - keepMs);
    await inbox?.pruneInbox?.(clock() - inboxKeepMs);
  };

  const loop = async () => {
    let sleptAfter: number | undefined;
    while (!closed) {
      const since = signal.generation();
      let handled = 0;
      await prune().catch((error: unknown) => throttle.report('prune', error));
      try {
        handled = await round(sleptAfter);
      } catch (error) {
        throttle.report('claim or settle', error);
      }
      sleptAfter = undefined;
      // A partial batch does not mean the backlog is empty: settling the head of a subject
      // makes its next event claimable. Only an empty round waits for a wake-up or the poll.
      if (handled === 0 && !closed) {
        sleptAfter = claims;
        await signal.sleep(since, options.pollIntervalMs ?? 500);
      }
    }
  };

  return {
    start() {
      if (closed) throw new ClosedError('This relay was closed; create a new one.');
      if (loops.length === 0) loops = Array.from({ length: claimsInFlight }, loop);
    },
    runOnce,
    async drain() {
      // As many rounds in flight as the loops keep: a loop that finds nothing claimable
      // stops; the last one stops only when nothing is claimable after its own settle.
      const rounds = async () => {
        while ((await runOnce()) > 0) {}
      };
      await Promise.all(Array.from({ length: claimsInFlight }, rounds));
    },
    wake: signal.wake,
    async close() {
      if (closed) return void (await Promise.all(loops));
      closed = true;
      unsubscribe?.();
      signal.wake();
      const finished = Promise.all(loops).then(() => true);
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), options.closeGraceMs ?? 10_000);
      });
      const inTime = await Promise.race([finished, grace]);
      clearTimeout(timer);
      if (!inTime) {
        controller.abort(new ClosedError('The relay closed before this handler finished.'));
        abandon();
        await finished;
      }
      // What still runs keeps its lease until it ends; then another relay takes it over.
      leases.close();
    },
  };
}
