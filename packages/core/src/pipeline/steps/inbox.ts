/**
 * Inbox step: for a handler declared with `inbox: true`, the rest of the run happens inside
 * an inbox transaction that first records (handler, event id), so the handler's own writes
 * and the record commit together and a redelivered event has no second effect. Runs through
 * the inbox committer, which may share one transaction among runs finishing together.
 */
import { DoNotRetry } from '../../errors/errors.ts';
import type { Inbox } from '../../outbox/inbox.ts';
import { createInboxCommitter } from '../../outbox/inbox-committer.ts';
import { done, type Outcome } from '../outcome.ts';
import type { StepFactory } from '../run.ts';

export function inboxStep<Tx>(inbox: Inbox<Tx> | undefined): StepFactory<Tx> {
  const committer = inbox ? createInboxCommitter(inbox) : undefined;
  return (next) => (run) => {
    if (!run.handler.inbox) return next(run);
    if (!committer)
      return Promise.reject(
        new DoNotRetry(`Handler "${run.handler.name}" wants an inbox but the store has none.`),
      );
    let outcome: Outcome = done;
    return committer
      .run(run.handler.name, run.event.id, async (tx) => {
        run.tx = tx;
        outcome = await next(run);
      })
      .then(() => outcome);
  };
}
