/**
 * The Inbox port: makes a handler's effect happen once under at-least-once delivery. The
 * handler's own writes and the (handler, event id) record commit in one transaction, so
 * a redelivered event finds its record and is skipped.
 */
export interface Inbox<Tx = unknown> {
  /** Runs `work` in one transaction of the same database as the handler's writes. */
  transaction<T>(work: (tx: Tx) => T | Promise<T>): Promise<T>;
  /**
   * Records that `handler` processed `eventId`, inside `tx`. MUST return true when the
   * record is new and false when it already existed (committed by an earlier delivery).
   */
  markProcessed(tx: Tx, handler: string, eventId: string): boolean | Promise<boolean>;
  /**
   * Retention: deletes the records made before `olderThan` (ms since epoch, the store's
   * clock) and resolves with how many it deleted. It MUST keep every younger record, and
   * MUST NOT block `markProcessed` for longer than one delete statement. A pruned record no
   * longer stops a duplicate: keep records longer than any redelivery can arrive. Optional
   * so existing stores keep compiling; the relay's `retention` calls it when present.
   */
  pruneInbox?(olderThan: number): Promise<number>;
}
