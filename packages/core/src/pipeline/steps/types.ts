/**
 * Type filter step: an event of a type the handler does not take is done without running it.
 * A consumer subscribes a topic once for all the types that share it (one aggregate's
 * lane), so it receives the other types too; the relay only has deliveries that match. A
 * type the catalog does not know at all is not "another handler's": it goes on to decode,
 * which dead-letters it (`TIDINGS_UNKNOWN_EVENT_TYPE`), so bad input never vanishes.
 */
import type { Catalog } from '../../event/catalog.ts';
import { wants } from '../../outbox/durable-handler.ts';
import { done } from '../outcome.ts';
import type { StepFactory } from '../run.ts';

const skipped = Promise.resolve(done);

export const typesStep =
  (catalog: Catalog | undefined): StepFactory<unknown> =>
  (next) =>
  (run) =>
    wants(run.handler.types, run.event.type) || (catalog !== undefined && !catalog.has(run.event.type))
      ? next(run)
      : skipped;
