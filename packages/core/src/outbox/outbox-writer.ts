/**
 * The outbox writer port: the one role a service's write path needs. Events and their
 * deliveries are appended inside the caller's database transaction, so they commit or roll
 * back together with the state change that raised them.
 */
import type { AnyDomainEvent } from '../event/envelope.ts';

export interface OutboxEntry {
  readonly event: AnyDomainEvent;
  /** Names of the consumers owed this event; may be empty (the event is then only audited). */
  readonly consumers: readonly string[];
}

export interface OutboxWriter<Tx = unknown> {
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
}
