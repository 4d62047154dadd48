/**
 * Read step: takes the event from the source. A broker message is decoded from its wire
 * format here; a message that cannot be read will not read on a retry either, so it
 * dead-letters at once with the decoder's reason.
 */
import type { AnyDomainEvent } from '../../event/envelope.ts';
import { deadOf, ExplainedFailure } from '../outcome.ts';
import type { StepFactory } from '../run.ts';

export const readStep: StepFactory<unknown> = (next) => (run) => {
  const { event } = run.source;
  if (typeof event !== 'function') run.event = event;
  else {
    try {
      run.event = event() as AnyDomainEvent;
    } catch (error) {
      return Promise.resolve(deadOf(new ExplainedFailure('The message cannot be decoded', error)));
    }
  }
  return next(run);
};
