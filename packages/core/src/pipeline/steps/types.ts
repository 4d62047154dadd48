/**
 * Type filter step: an event of a type the handler does not take is done without running it.
 * A consumer subscribes a topic once for all the types that share it (one aggregate's
 * lane), so it receives the other types too; the relay only has deliveries that match.
 */
import { wants } from '../../outbox/durable-handler.ts';
import { done } from '../outcome.ts';
import type { StepFactory } from '../run.ts';

const skipped = Promise.resolve(done);

export const typesStep: StepFactory<unknown> = (next) => (run) =>
  wants(run.handler.types, run.event.type) ? next(run) : skipped;
