/**
 * The OutboxStore port: where events wait between a database commit and their consumers.
 *
 * Model (the pattern Spring Modulith calls the event publication registry): `append` writes
 * each event once (it is also the audit log) and one *delivery* per consumer that must
 * receive it. A consumer is a durable handler or a transport route, named by a stable
 * string. Relays `claim` deliveries under a lease, then `complete`, `fail` or `release` them.
 *
 * Every implementation passes `runOutboxStoreContract` from `@tidings/testing`.
 */
import type { AnyDomainEvent } from '../event/envelope.ts';

/** Where a delivery stands. */
export type DeliveryStatus = 'pending' | 'done' | 'dead';

export interface OutboxEntry {
  readonly event: AnyDomainEvent;
  /** Names of the consumers owed this event; may be empty (the event is then only audited). */
  readonly consumers: readonly string[];
}

/** One claimed delivery: an event owed to one consumer, leased to one relay. */
export interface Delivery {
  readonly event: AnyDomainEvent;
  readonly consumer: string;
  /** The event's global append position: increasing, unique per store. */
  readonly position: number;
  /** This try's number: 1 on the first claim, then one more after each `fail`. */
  readonly attempt: number;
  /** The relay holding the lease. */
  readonly owner: string;
}

/** Identifies a delivery in `complete`, `fail` and `release`. */
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
}

export interface FailureRecord {
  /** What went wrong, for people: kept as `lastError` and in the attempt history. */
  readonly error: string;
  /** When to try again (ms since epoch); `null` dead-letters the delivery. */
  readonly retryAt: number | null;
}

export interface AttemptRecord {
  readonly attempt: number;
  /** ISO-8601. */
  readonly at: string;
  readonly error: string;
}

export interface DeliveryInfo {
  readonly eventId: string;
  readonly consumer: string;
  readonly status: DeliveryStatus;
  /** Failed attempts so far. */
  readonly attempts: number;
  readonly lastError: string | undefined;
  readonly history: readonly AttemptRecord[];
  /** When it may next be claimed (ms since epoch), for pending deliveries. */
  readonly nextAttemptAt: number | undefined;
  /** When it was completed or dead-lettered (ms since epoch). */
  readonly finishedAt: number | undefined;
}

export interface DeadLetter extends DeliveryInfo {
  readonly event: AnyDomainEvent;
}

export interface StoredEvent {
  readonly position: number;
  readonly event: AnyDomainEvent;
}

export interface EventQuery {
  readonly subject?: { readonly type: string; readonly id: string };
  readonly types?: readonly string[];
  readonly correlationId?: string;
  readonly causationId?: string;
  /** Inclusive lower bound on `occurredAt` (ISO-8601). */
  readonly from?: string;
  /** Exclusive upper bound on `occurredAt` (ISO-8601). */
  readonly to?: string;
  /** Only events after this position (a cursor for paging and following). */
  readonly afterPosition?: number;
  /** Default 100. */
  readonly limit?: number;
  /** Default `'asc'` (by position). */
  readonly order?: 'asc' | 'desc';
}

export interface ConsumerStats {
  readonly consumer: string;
  readonly pending: number;
  readonly done: number;
  readonly dead: number;
  /**
   * Pending deliveries that failed at least once and wait for a retry. Optional: a store
   * that cannot tell leaves it out (the inspector then shows dead letters only).
   */
  readonly retrying?: number;
  /** Age in ms of the oldest pending delivery, by the store's clock; 0 when none. */
  readonly oldestPendingAgeMs: number;
}

export interface OutboxStore<Tx = unknown> {
  /**
   * Runs `work` in one database transaction and commits when it resolves. When it throws,
   * the store MUST roll back and rethrow: nothing `work` appended may remain.
   */
  transaction<T>(work: (tx: Tx) => T | Promise<T>): Promise<T>;

  /**
   * Appends events and their deliveries inside the caller's transaction `tx`. MUST write
   * nothing visible outside `tx` until it commits. Events keep their order: positions
   * increase in the order given. Appending an event id twice MUST fail.
   */
  append(tx: Tx, entries: readonly OutboxEntry[]): void | Promise<void>;

  /**
   * Leases up to `limit` pending deliveries of the given consumers whose next-attempt time
   * has come and whose lease (if any) expired. MUST NOT hand one delivery to two owners
   * while a lease holds, even when relays claim concurrently. Per consumer and subject, a
   * delivery MUST NOT be claimed while an earlier pending delivery of the same subject for
   * the same consumer exists (ordering: a failing event parks the later ones of its subject;
   * a dead-lettered one does not). Events without a subject are not ordered. Results are in
   * position order.
   */
  claim(request: ClaimRequest): Promise<readonly Delivery[]>;

  /** Marks deliveries done. MUST be idempotent. */
  complete(refs: readonly DeliveryRef[]): Promise<void>;

  /**
   * Records a failed attempt: counts it, keeps `error` as the last error and in the
   * history, and schedules the next try at `retryAt`, or dead-letters when `retryAt` is
   * null. MUST ignore a ref whose lease now belongs to another owner.
   */
  fail(ref: DeliveryRef, failure: FailureRecord): Promise<void>;

  /** Gives leases back without counting an attempt (graceful shutdown, parked followers). */
  release(refs: readonly DeliveryRef[]): Promise<void>;

  /** Dead-lettered deliveries, oldest first. */
  deadLetters(query?: {
    readonly consumer?: string;
    readonly limit?: number;
  }): Promise<readonly DeadLetter[]>;

  /**
   * Makes dead-lettered deliveries pending again, claimable at once, with their history
   * kept. Returns how many were redriven.
   */
  redrive(refs: readonly { readonly eventId: string; readonly consumer: string }[]): Promise<number>;

  /** The audit log: stored events matching every given filter, by position. */
  events(query?: EventQuery): Promise<readonly StoredEvent[]>;

  /** One event by id, or undefined. */
  event(id: string): Promise<StoredEvent | undefined>;

  /** The deliveries of one event, one per consumer. */
  deliveries(eventId: string): Promise<readonly DeliveryInfo[]>;

  /** Backlog per consumer. */
  stats(): Promise<readonly ConsumerStats[]>;

  /**
   * Retention: deletes events recorded before `before` (ms since epoch) whose deliveries
   * are all done (never pending or dead ones). Returns how many events were deleted.
   */
  prune(before: number): Promise<number>;

  /**
   * Calls `listener` soon after deliveries are appended (in this process, or from any
   * process where the store can tell, e.g. PostgreSQL LISTEN/NOTIFY). Optional: relays poll
   * when absent. Returns an unsubscribe function.
   */
  onAppend?(listener: () => void): () => void;

  close(): Promise<void>;
}
