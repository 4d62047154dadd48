/**
 * Decode step: the catalog upcasts an older version and validates the payload. An event that
 * cannot be decoded will not decode on a retry either: `DoNotRetry`, with the catalog's code
 * (`TIDINGS_VALIDATION`, `TIDINGS_UNKNOWN_EVENT_TYPE`) kept for the dead letter.
 */
import type { Catalog, RawEvent } from '../../event/catalog.ts';
import { ExplainedFailure } from '../outcome.ts';
import type { StepFactory } from '../run.ts';

export function decodeStep(catalog: Catalog | undefined): StepFactory<unknown> {
  return (next) => {
    if (!catalog) return next;
    return (run) => {
      const raw = run.event;
      try {
        run.event = catalog.decode(raw as RawEvent);
      } catch (error) {
        // Thrown inside the tracing step, so the span records the failure.
        return Promise.reject(
          new ExplainedFailure(`Event ${raw.id} of type ${raw.type} cannot be decoded`, error),
        );
      }
      return next(run);
    };
  };
}
