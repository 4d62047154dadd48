/**
 * Read step: takes the event from the source. A broker message is decoded from its wire
 * format here; a message that cannot be read will not read on a retry either, so it
 * dead-letters at once with the decoder's reason. So does a message the transport refused
 * to read (`tidings-transport-error`), with the transport's reason.
 */
import type { AnyDomainEvent } from '../../event/envelope.ts';
import { deadOf, ExplainedFailure } from '../outcome.ts';
import type { StepFactory } from '../run.ts';
import { TransportRejectedError, transportErrorHeader } from './transport-rejected.ts';

export const readStep: StepFactory<unknown> = (next) => (run) => {
  const { event, delivery } = run.source;
  const refused = delivery?.message.headers[transportErrorHeader];
  if (refused !== undefined) {
    return Promise.resolve(
      deadOf(
        new TransportRejectedError(`The ${delivery?.transport} transport refused the message: ${refused}`),
      ),
    );
  }
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
