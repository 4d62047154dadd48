/**
 * The audit log port: read-only queries over stored events and their deliveries, for the
 * CLI, the inspector and causation trees. Nothing here changes what relays do.
 */
import type { AnyDomainEvent } from '../event/envelope.ts';

/** Where a delivery stands. */
export type DeliveryStatus = 'pending' | 'done' | 'dead';

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

export interface AuditLog {
  /** Stored events matching every given filter, by position. MUST NOT modify anything. */
  events(query?: EventQuery): Promise<readonly StoredEvent[]>;

  /** One event by id, or undefined. */
  event(id: string): Promise<StoredEvent | undefined>;

  /** The deliveries of one event, one per consumer. */
  deliveries(eventId: string): Promise<readonly DeliveryInfo[]>;

  /** Backlog per consumer. */
  stats(): Promise<readonly ConsumerStats[]>;
}
