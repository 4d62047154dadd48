/**
 * Group commit for the inbox: handler runs that finish in the same tick share one inbox
 * transaction, so the database pays one commit for many effects. This first version runs
 * each in its own transaction; the interface is the one the pipeline's inbox step uses.
 */
import type { Inbox } from './inbox.ts';

export type InboxRunResult = 'done' | 'duplicate';

export interface InboxCommitter<Tx> {
  /**
   * Runs `work` inside an inbox transaction, after recording (handler, eventId). Resolves
   * `'duplicate'` without running `work` when the record already existed. MUST reject only
   * this run when its own `work` (or its commit) fails: other runs sharing the transaction
   * still commit, and a rejected run left no record and none of its writes.
   */
  run(handler: string, eventId: string, work: (tx: Tx) => Promise<void>): Promise<InboxRunResult>;
}

export function createInboxCommitter<Tx>(inbox: Inbox<Tx>): InboxCommitter<Tx> {
  return {
    run: (handler, eventId, work) =>
      inbox.transaction(async (tx): Promise<InboxRunResult> => {
        if (!(await inbox.markProcessed(tx, handler, eventId))) return 'duplicate';
        await work(tx);
        return 'done';
      }),
  };
}
