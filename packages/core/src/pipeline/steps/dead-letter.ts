/**
 * Dead-letter step: the outermost. Tells the instrumentation (`onDeadLetter`, e.g. a
 * dead-letter counter) of every run that ends dead, and ends the run: the per-run signal
 * stops listening to the pipeline's. Where the dead letter goes is the source's business:
 * the relay settles it as dead in its store, the consumer puts it in its dead-letter sink.
 */
import { currentInstrumentation } from '../../instrumentation/hooks.ts';
import type { Outcome } from '../outcome.ts';
import type { StepFactory } from '../run.ts';

export const deadLetterStep: StepFactory<unknown> = (next) => (run) =>
  next(run).then((outcome: Outcome) => {
    run.dispose();
    if (outcome.kind === 'dead' && run.event !== undefined)
      currentInstrumentation()?.onDeadLetter?.({
        consumer: run.handler.name,
        event: run.event,
        error: outcome.error,
      });
    return outcome;
  });
