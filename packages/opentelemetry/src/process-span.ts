/**
 * The `process` span of one handler run for one event: a CONSUMER span whose parent is the
 * context the event was created in (its `traceparent`), so the handler's work joins the
 * producer's trace across the outbox and the broker. A context key marks the run, so the
 * middleware and the runtime hook never trace the same run twice.
 */
import { type Context, context, createContextKey, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import type { AnyDomainEvent } from '@tidings/core';
import { attr, eventAttributes } from './attributes.ts';
import { runInSpan, type SpanOutcome } from './run-in-span.ts';
import { spanContextOf } from './trace-context.ts';

const processing = createContextKey('tidings.processing');

export interface ProcessRun {
  readonly event: AnyDomainEvent;
  readonly handler: string;
  readonly attempt: number;
}

export interface ProcessSpanOptions extends SpanOutcome {
  readonly system: string;
  readonly destination: (event: AnyDomainEvent) => string;
  /**
   * Parent when the event carries no trace context: the active context (in-process bus),
   * or a new trace (background loops, whose active context is whatever started them).
   */
  readonly fallback: 'active' | 'root';
}

/** Runs `work` inside the run's process span (or as is, when that run is already traced). */
export function traceProcess<T>(
  tracer: Tracer,
  run: ProcessRun,
  work: () => T,
  options: ProcessSpanOptions,
): T {
  const marker = `${run.handler}\u0000${run.event.id}`;
  const active = context.active();
  if (active.getValue(processing) === marker) return work();
  const creation = spanContextOf(run.event.metadata);
  let parent: Context;
  if (creation) parent = trace.setSpanContext(active, creation);
  else parent = options.fallback === 'root' ? trace.deleteSpan(active) : active;
  const destination = options.destination(run.event);
  const span = tracer.startSpan(
    `process ${destination}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [attr.system]: options.system,
        [attr.operationType]: 'process',
        [attr.operationName]: 'process',
        [attr.destination]: destination,
        [attr.consumerGroup]: run.handler,
        [attr.attempt]: run.attempt,
        ...eventAttributes(run.event),
      },
    },
    parent,
  );
  return runInSpan(span, trace.setSpan(parent, span).setValue(processing, marker), work, options);
}
