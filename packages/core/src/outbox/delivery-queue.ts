/**
 * The delivery queue port: what a relay needs from a store. It claims deliveries under a
 * lease and reports what became of a whole round in ONE batched `settle`, so a round costs
 * two round trips to the database however many deliveries it carries. A relay whose
 * deliveries wait or run longer than the lease keeps them with ONE batched `extend`.
 */
import type { AnyDomainEvent } from '../event/envelope.ts';

/** One claimed delivery: an event owed to one consumer, leased to one relay. */
export interface Delivery {
  readonly event: AnyDomainEvent;
  readonly consumer: string;
  /** The event's global append position: increasing, unique per store. */
  readonly position: number;
  /** This try's number: 1 on the first claim, then one more after each failed try. */
  readonly attempt: number;
  /** The relay holding the lease. */
  readonly owner: string;
}

/** Identifies a claimed delivery and the relay that claimed it. */
export interface DeliveryRef {
  readonly eventId: string;
  readonly consumer: string;
  readonly owner: string;
}

export interface ClaimRequest {
  /** Only deliveries for these consumers. */
  readonly consumers: readonly string[];
  /** At most this many deliveries. */
  readonly limit: number;
  /** The lease lasts this long from the store's clock; after that others may reclaim. */
  readonly leaseMs: number;
  /** Unique id of the claiming relay. */
  readonly owner: string;
  /**
   * Consumers (a subset of `consumers`, typically transport routes) that take RUNS: for
   * them a claim may lease several consecutive pending deliveries of one subject at once,
   * so a hot aggregate does not move one event per round. Default none: heads only.
   */
  readonly runs?: readonly string[];
}

/**
 * What became of one claimed delivery:
 * - `done`: delivered; the delivery is finished.
 * - `retry`: the try failed; count it, keep `error`, claimable again from `retryAt` (ms since epoch).
 * - `dead`: the try failed for good; count it, keep `error`, dead-letter it.
 * - `released`: not tried (shutdown, parked behind its subject); give the lease back uncounted.
 */
export type DeliveryOutcome = DeliveryRef &
  (
    | { readonly outcome: 'done' }
    | { readonly outcome: 'retry'; readonly error: string; readonly retryAt: number }
    | { readonly outcome: 'dead'; readonly error: string }
    | { readonly outcome: 'released' }
  );

export interface DeliveryQueue {
  /**
   * Leases up to `limit` pending deliveries of the given consumers whose next-attempt time
   * has come and whose lease (if any) expired. MUST NOT hand one delivery to two owners
   * while a lease holds, even when relays claim concurrently. Per consumer and subject, a
   * delivery MUST NOT be claimed while an earlier pending delivery of the same subject for
   * the same consumer exists (ordering: a failing event parks the later ones of its subject;
   * a dead-lettered one does not). Events without a subject are not ordered. Results are in
   * position order.
   *
   * For a consumer in `runs`, the later deliveries of a subject MAY come in the same claim
   * as the head: a run is the head and its followers up to the first one not due, leased
   * together. A follower MUST NOT be claimed unless every earlier pending delivery of its
   * (consumer, subject) queue is leased by this same call, so two claims never split a
   * subject between two relays.
   */
  claim(request: ClaimRequest): Promise<readonly Delivery[]>;

  /**
   * Applies the outcomes of claimed deliveries, all of them in one round trip (one
   * statement or one transaction). A call carries each delivery at most once.
   * - `done` MUST finish a pending delivery whoever holds its lease now: the work happened.
   * - `retry`, `dead` and `released` MUST be ignored unless `owner` still holds the lease,
   *   so a relay whose lease was taken over cannot undo the new owner's work.
   * - MUST be idempotent: repeating a call changes nothing more (a retried or released
   *   delivery no longer carries the caller's lease; a done one stays done).
   * - A retry or dead outcome MUST count one attempt and append `error` to the history.
   */
  settle(outcomes: readonly DeliveryOutcome[]): Promise<void>;

  /**
   * Extends the leases of claimed deliveries to `leaseMs` from now (the store's clock), all
   * of them in one round trip (one statement or one transaction; a store MAY need a second
   * one only when some lease was lost). A call carries each delivery at most once.
   * - MUST extend a delivery only while it is pending and its lease carries the ref's
   *   `owner`: that owner still holds it, or its lease ran out and nobody claimed it since
   *   (then nobody else can have run it, and extending it is as safe as holding it).
   * - MUST NOT touch a delivery another owner claimed, nor a settled one (done, dead,
   *   retried or released: those carry no lease).
   * - Resolves with the refs it extended: elements of `refs` itself, in any order. A ref
   *   left out is lost to this owner: the relay does not start its work, and settles it
   *   only as `done` if the work had already run (`done` counts whoever holds the lease).
   */
  extend(refs: readonly DeliveryRef[], leaseMs: number): Promise<readonly DeliveryRef[]>;

  /**
   * Calls `listener` soon after deliveries are appended (in this process, or from any
   * process where the store can tell, e.g. PostgreSQL LISTEN/NOTIFY). Optional: relays poll
   * when absent. Returns an unsubscribe function.
   */
  onAppend?(listener: () => void): () => void;
}
