/**
 * The delivery pipeline: the one machine that runs a durable handler for a delivery, shared
 * by the relay (over the outbox's delivery queue) and the consumer (over a transport
 * subscription). Each concern is one step, `(next) => step`, in this order:
 *
 *   dead letter → retry decision → read → type filter → budget → tracing → decode →
 *   timeout → inbox → handler (middleware, causation, `context.publish`)
 *
 * `run` never rejects: it resolves with the outcome (done, retry at, dead with reason and
 * code, released), which the source settles its own way. One deadline wheel per pipeline
 * owns every handler timeout.
 */
import { setMaxListeners } from 'node:events';
import type { Catalog } from '../event/catalog.ts';
import type { DurableHandler } from '../outbox/durable-handler.ts';
import type { Inbox } from '../outbox/inbox.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { createDeadlineWheel, type DeadlineWheel } from './deadline-wheel.ts';
import { type Outcome, released } from './outcome.ts';
import { type PipelineDelivery, PipelineRun, type Step, type StepFactory } from './run.ts';
import { budgetStep } from './steps/budget.ts';
import { deadLetterStep } from './steps/dead-letter.ts';
import { decodeStep } from './steps/decode.ts';
import { handlerStep } from './steps/handler.ts';
import { inboxStep } from './steps/inbox.ts';
import { readStep } from './steps/read.ts';
import { retryStep } from './steps/retry.ts';
import { timeoutStep } from './steps/timeout.ts';
import { tracingStep } from './steps/tracing.ts';
import { typesStep } from './steps/types.ts';

export interface PipelineOptions<Tx> {
  /** Upcasts and validates events before handlers see them. */
  readonly catalog?: Catalog | undefined;
  /** Needed by handlers declared with `inbox: true`. */
  readonly inbox?: Inbox<Tx> | undefined;
  /** Where follow-up events published by handlers go. */
  readonly outbox?: Outbox<Tx> | undefined;
  /** The clock retry times are computed on (the store's or broker's time). Default Date.now. */
  readonly clock?: () => number;
  readonly random?: (() => number) | undefined;
  /** Aborts every running handler's `context.signal` (the owner's close grace ran out). */
  readonly signal?: AbortSignal;
  /** While true, runs not yet started end `released` without running. */
  readonly closing?: () => boolean;
  /** The deadline wheel handler timeouts go on. Default: a wheel of this pipeline's own. */
  readonly wheel?: DeadlineWheel;
  /**
   * Whether events created anywhere in a handler's call tree (`Definition.create`) inherit
   * the handled event as their cause. Default true. Off, handlers run without an
   * AsyncLocalStorage scope (on Node 20 the first one switches on promise hooks that every
   * later promise of the process pays); `context.publish(Definition, payload)` keeps
   * correlation and causation either way, since the context names its cause explicitly.
   */
  readonly ambientCausation?: boolean | undefined;
}

export interface Pipeline<Tx> {
  /** Runs `handler` for `delivery`; resolves with the outcome, never rejects. */
  run(handler: DurableHandler<Tx>, delivery: PipelineDelivery): Promise<Outcome>;
  /** The wheel of this pipeline's deadlines (for tests and for lease extension). */
  readonly wheel: DeadlineWheel;
}

/**
 * @example
 * const pipeline = createPipeline({ catalog, inbox, outbox });
 * const outcome = await pipeline.run(handler, { event, attempt: 1 });
 */
export function createPipeline<Tx>(options: PipelineOptions<Tx> = {}): Pipeline<Tx> {
  const wheel = options.wheel ?? createDeadlineWheel();
  const signal = options.signal ?? new AbortController().signal;
  // Every run whose handler reads `context.signal` listens on this one signal.
  setMaxListeners(0, signal);
  const closing = options.closing ?? (() => false);
  const steps: StepFactory<Tx>[] = [
    deadLetterStep,
    retryStep(options.clock ?? Date.now, options.random),
    readStep,
    typesStep(options.catalog),
    budgetStep,
    tracingStep,
    decodeStep(options.catalog),
    timeoutStep(wheel),
    inboxStep(options.inbox),
  ] as StepFactory<Tx>[];
  const chain: Step<Tx> = steps.reduceRight<Step<Tx>>(
    (next, step) => step(next),
    handlerStep(options.outbox, options.ambientCausation ?? true),
  );
  const releasedNow = Promise.resolve(released);
  return {
    wheel,
    run(handler, delivery) {
      if (closing()) return releasedNow;
      return chain(new PipelineRun(handler, delivery, signal));
    },
  };
}
