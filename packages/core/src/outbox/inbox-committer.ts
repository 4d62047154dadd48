/**
 * Group commit for the inbox: handler runs that arrive in the same tick share one inbox
 * transaction, so the database pays one commit (one fsync) for many effects. The ids of a
 * group are marked in one batch per handler; each run's work then runs in its own savepoint,
 * one after another on the group's connection, so one failing run rolls back only its own
 * writes and its record while the others commit. Stores without savepoints, and
 * `maxRuns: 1`, get one transaction per run.
 */
import { AsyncResource } from 'node:async_hooks';
import { ConfigurationError } from '../errors/errors.ts';
import { describeValue } from '../errors/tidings-error.ts';
import type { Inbox, InboxGroupCommit } from './inbox.ts';

export type { InboxGroupCommit } from './inbox.ts';

export type InboxRunResult = 'done' | 'duplicate';

export interface InboxCommitter<Tx> {
  /**
   * Runs `work` inside an inbox transaction, after recording (handler, eventId). Resolves
   * `'duplicate'` without running `work` when the record already existed. MUST reject only
   * this run when its own `work` fails: other runs sharing the transaction still commit, and
   * a rejected run left no record and none of its writes. When the shared transaction itself
   * fails (the batch mark, a savepoint the store cannot roll back to, the commit), every run
   * of that group rejects and none of them left anything.
   */
  run(handler: string, eventId: string, work: (tx: Tx) => Promise<void>): Promise<InboxRunResult>;
}

/** Used where neither the caller nor the store chose. */
export const defaultGroupCommit = { maxRuns: 32, concurrency: 1 } as const;

interface PendingRun<Tx> {
  readonly handler: string;
  readonly eventId: string;
  readonly key: string;
  readonly work: (tx: Tx) => Promise<void>;
  /**
   * The async context `run` was called in (tracing, ambient state), which the work runs in.
   * An AsyncResource, not `AsyncLocalStorage.snapshot()`: on Node 20 a snapshot is a bound
   * function with a deprecation wrapper made per call, 5 % of an SQLite-inbox consume profile.
   */
  readonly context: AsyncResource;
  readonly resolve: (result: InboxRunResult) => void;
  readonly reject: (error: unknown) => void;
}

function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigurationError(`groupCommit.${name} must be an integer ≥ 1; got ${describeValue(value)}.`);
  }
  return value;
}

/** One transaction per run: the path for stores without savepoints. */
function perRun<Tx>(inbox: Inbox<Tx>): InboxCommitter<Tx> {
  return {
    run: (handler, eventId, work) =>
      inbox.transaction(async (tx): Promise<InboxRunResult> => {
        if (!(await inbox.markProcessed(tx, handler, eventId))) return 'duplicate';
        await work(tx);
        return 'done';
      }),
  };
}

/**
 * @example
 * const committer = createInboxCommitter(store); // one per consumer, not per message
 * await committer.run('send-email', event.id, async (tx) => { ... });
 */
export function createInboxCommitter<Tx>(
  inbox: Inbox<Tx>,
  options: InboxGroupCommit = {},
): InboxCommitter<Tx> {
  const maxRuns = checkCount(
    'maxRuns',
    options.maxRuns ?? inbox.groupCommit?.maxRuns ?? defaultGroupCommit.maxRuns,
  );
  const concurrency = checkCount(
    'concurrency',
    options.concurrency ?? inbox.groupCommit?.concurrency ?? defaultGroupCommit.concurrency,
  );
  const { savepoint, unmarkProcessed } = inbox;
  if (maxRuns === 1 || !savepoint || !unmarkProcessed) return perRun(inbox);
  const inSavepoint = savepoint.bind(inbox);
  const unmark = unmarkProcessed.bind(inbox);

  let queue: PendingRun<Tx>[] = [];
  let scheduled = false;
  let open = 0;

  /** The next group: up to `maxRuns` runs, at most one per (handler, id); the rest wait. */
  function takeGroup(): PendingRun<Tx>[] {
    const group: PendingRun<Tx>[] = [];
    const keys = new Set<string>();
    const rest: PendingRun<Tx>[] = [];
    for (const run of queue) {
      // A second delivery of an id in the same group would see the first's uncommitted record
      // and call itself a duplicate, yet the first may still fail: it waits for the next group.
      if (group.length < maxRuns && !keys.has(run.key)) {
        keys.add(run.key);
        group.push(run);
      } else rest.push(run);
    }
    queue = rest;
    return group;
  }

  function flush(): void {
    scheduled = false;
    while (open < concurrency && queue.length > 0) {
      open += 1;
      void runGroup(takeGroup()).finally(() => {
        open -= 1;
        // What queued while this group ran is a group already: no need to wait another tick.
        if (queue.length > 0 && !scheduled) flush();
      });
    }
  }

  async function runGroup(group: readonly PendingRun<Tx>[]): Promise<void> {
    const failures = new Map<PendingRun<Tx>, unknown>();
    const duplicates = new Set<PendingRun<Tx>>();
    try {
      await inbox.transaction(async (tx) => {
        const byHandler = new Map<string, PendingRun<Tx>[]>();
        for (const run of group) byHandler.get(run.handler)?.push(run) ?? byHandler.set(run.handler, [run]);
        for (const [handler, runs] of byHandler) {
          const recorded = await inbox.markProcessed(
            tx,
            handler,
            runs.map((run) => run.eventId),
          );
          for (const run of runs) if (!recorded.has(run.eventId)) duplicates.add(run);
        }
        for (const run of group) {
          if (duplicates.has(run)) continue;
          let thrown: { error: unknown } | undefined;
          try {
            await inSavepoint(tx, async () => {
              try {
                await run.context.runInAsyncScope(run.work, undefined, tx);
              } catch (error) {
                thrown = { error };
                throw error;
              }
            });
          } catch (error) {
            // Anything but the work's own error means the savepoint did not hold (its
            // rollback failed): the transaction is not to be trusted, so the group fails.
            if (thrown === undefined || error !== thrown.error) throw error;
            failures.set(run, error);
          }
        }
        const failedBy = new Map<string, string[]>();
        for (const run of failures.keys()) {
          failedBy.get(run.handler)?.push(run.eventId) ?? failedBy.set(run.handler, [run.eventId]);
        }
        for (const [handler, ids] of failedBy) await unmark(tx, handler, ids);
      });
    } catch (error) {
      for (const run of group) run.reject(failures.has(run) ? failures.get(run) : error);
      return;
    }
    for (const run of group) {
      if (failures.has(run)) run.reject(failures.get(run));
      else run.resolve(duplicates.has(run) ? 'duplicate' : 'done');
    }
  }

  return {
    run(handler, eventId, work) {
      return new Promise<InboxRunResult>((resolve, reject) => {
        queue.push({
          handler,
          eventId,
          key: `${handler}\u0000${eventId}`,
          work,
          context: new AsyncResource('TidingsInboxRun'),
          resolve,
          reject,
        });
        // The runs that arrive before the next turn of the event loop form one group.
        if (!scheduled && open < concurrency) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
