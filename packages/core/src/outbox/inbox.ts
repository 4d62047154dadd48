/**
 * The Inbox port: makes a handler's effect happen once under at-least-once delivery. The
 * handler's own writes and the (handler, event id) record commit in one transaction, so
 * a redelivered event finds its record and is skipped. Records are made in batches, and a
 * store with savepoints lets several handler runs share one transaction (group commit, see
 * `inbox-committer.ts`).
 */
import { StoreError } from '../errors/errors.ts';
import { describeValue } from '../errors/tidings-error.ts';

/**
 * Records that `handler` processed events, inside `tx`. Two forms, both MUST be served:
 * - one id (what ORM users and older callers write): MUST resolve true when the record is
 *   new and false when it already existed (committed by an earlier delivery, or made earlier
 *   in this same transaction);
 * - an array of ids (one round trip where the store can): MUST resolve the set of the ids
 *   newly recorded by this call. An id given twice in one call is recorded once and counts
 *   as new once; an id already recorded is left out of the set.
 * A concurrent transaction recording the same id MUST NOT make both count it as new: at most
 * one of them commits it as new (the other waits for it, or fails and is retried).
 * {@link inboxMarker} builds both forms from the batch one.
 */
export interface MarkProcessed<Tx> {
  (tx: Tx, handler: string, eventId: string): boolean | Promise<boolean>;
  (tx: Tx, handler: string, eventIds: readonly string[]): ReadonlySet<string> | Promise<ReadonlySet<string>>;
}

/** {@link MarkProcessed} of a store that always answers asynchronously. */
export interface AsyncMarkProcessed<Tx> {
  (tx: Tx, handler: string, eventId: string): Promise<boolean>;
  (tx: Tx, handler: string, eventIds: readonly string[]): Promise<ReadonlySet<string>>;
}

/** How runs are grouped. Options of `createInboxCommitter` override the store's `groupCommit`. */
export interface InboxGroupCommit {
  /**
   * Most runs sharing one transaction (≥ 1). Their work runs one after another, so a slow
   * handler delays the commit of the others in its group: lower it for slow handlers. 1
   * turns group commit off (one transaction per run, runs in parallel).
   */
  readonly maxRuns?: number;
  /** Group transactions open at once (≥ 1): the connections group commit may hold. */
  readonly concurrency?: number;
}

export interface Inbox<Tx = unknown> {
  /** Runs `work` in one transaction of the same database as the handler's writes. */
  transaction<T>(work: (tx: Tx) => T | Promise<T>): Promise<T>;
  /** See {@link MarkProcessed}. (Methods, not a property: checked bivariantly like every port method.) */
  markProcessed(tx: Tx, handler: string, eventId: string): boolean | Promise<boolean>;
  markProcessed(
    tx: Tx,
    handler: string,
    eventIds: readonly string[],
  ): ReadonlySet<string> | Promise<ReadonlySet<string>>;
  /**
   * Optional, with `unmarkProcessed`: what group commit needs. Runs `work` inside a savepoint
   * of the open transaction `tx`. When `work` resolves the savepoint MUST be released and its
   * writes kept in `tx`; when it throws, every write made since the savepoint (the store's and
   * the handler's on the same transaction) MUST be rolled back, `tx` MUST stay usable, and the
   * error MUST be rethrown. Calls on one `tx` never overlap (the committer runs them one after
   * another). A store without savepoints leaves it out: the committer then gives each run its
   * own transaction.
   */
  savepoint?<T>(tx: Tx, work: () => Promise<T>): Promise<T>;
  /**
   * Optional, with `savepoint`: deletes, inside `tx`, the records of `handler` for `eventIds`
   * that this same transaction made (the committer calls it for runs that failed after their
   * ids were marked in a batch). MUST NOT touch any other record.
   */
  unmarkProcessed?(tx: Tx, handler: string, eventIds: readonly string[]): void | Promise<void>;
  /**
   * The group commit settings measured best for this store (see `docs/architecture.md`,
   * "Inbox group commit"); absent: the committer's defaults.
   */
  readonly groupCommit?: InboxGroupCommit;
  /**
   * Retention: deletes the records made before `olderThan` (ms since epoch, the store's
   * clock) and resolves with how many it deleted. It MUST keep every younger record, and
   * MUST NOT block `markProcessed` for longer than one delete statement. A pruned record no
   * longer stops a duplicate: keep records longer than any redelivery can arrive. Optional
   * so existing stores keep compiling; the relay's `retention` calls it when present.
   */
  pruneInbox?(olderThan: number): Promise<number>;
}

/**
 * Builds a store's `markProcessed` (both forms) from its batch form. Keeps a synchronous
 * store synchronous: a better-sqlite3 transaction inside an ORM must see a throw, not a
 * rejected promise.
 *
 * @example
 * markProcessed: inboxMarker((tx, handler, ids) => insertIgnoring(tx, handler, ids)),
 */
export function inboxMarker<Tx>(
  batch: (tx: Tx, handler: string, eventIds: readonly string[]) => Promise<ReadonlySet<string>>,
): AsyncMarkProcessed<Tx>;
export function inboxMarker<Tx>(
  batch: (
    tx: Tx,
    handler: string,
    eventIds: readonly string[],
  ) => ReadonlySet<string> | Promise<ReadonlySet<string>>,
): MarkProcessed<Tx>;
export function inboxMarker<Tx>(
  batch: (
    tx: Tx,
    handler: string,
    eventIds: readonly string[],
  ) => ReadonlySet<string> | Promise<ReadonlySet<string>>,
): MarkProcessed<Tx> {
  function markProcessed(tx: Tx, handler: string, ids: string | readonly string[]) {
    if (typeof handler !== 'string' || handler === '') {
      throw new StoreError(`markProcessed needs a handler name; got ${describeValue(handler)}.`);
    }
    if (typeof ids !== 'string') {
      if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || id === '')) {
        throw new StoreError(
          `markProcessed needs an event id or an array of event ids (non-empty strings); got ${describeValue(ids)}.`,
        );
      }
      return batch(tx, handler, ids);
    }
    if (ids === '') throw new StoreError('markProcessed needs an event id; got an empty string.');
    const result = batch(tx, handler, [ids]);
    return result instanceof Promise ? result.then((recorded) => recorded.has(ids)) : result.has(ids);
  }
  return markProcessed as MarkProcessed<Tx>;
}
