/**
 * The `process` span of one handler run for one event: a CONSUMER span that LINKS to the
 * context the event was created in (its `traceparent`), as the conventions ask, and, since
 * it processes that one message, also has it as parent, so the handler's work joins the
 * producer's trace across the outbox and the broker. A run fed by a transport delivery
 * carries the transport's `messaging.system`, destination and broker attributes. A context
 * key marks the run, so the middleware and the runtime hook never trace the same run twice.
 */
import { type Context, context, createContextKey, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import type { AnyDomainEvent } from '@tidings/core';
import type { HandlerDelivery } from '@tidings/core/spi';
import { attr, eventAttributes } from './attributes.ts';
import { receiveAttributes } from './messaging-attributes.ts';
import { runInSpan, type SpanOutcome } from './run-in-span.ts';
import { spanContextOf } from './trace-context.ts';

const processing = createContextKey('tidings.processing');

export interface ProcessRun {
  readonly event: AnyDomainEvent;
  readonly handler: string;
  readonly attempt: number;
  /** The broker delivery, when a consumer runs the handler. */
  readonly delivery?: HandlerDelivery | undefined;
}

export interface ProcessSpanOptions extends SpanOutcome {
  /** `messaging.system` and destination of runs without a delivery (relay handlers, the bus). */
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
  const messaging = run.delivery
    ? receiveAttributes(run.delivery)
    : {
        [attr.system]: options.system,
        [attr.destination]: options.destination(run.event),
        [attr.consumerGroup]: run.handler,
      };
  const span = tracer.startSpan(
    `process ${String(messaging[attr.destination])}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...messaging,
        [attr.operationType]: 'process',
        [attr.operationName]: 'process',
        [attr.handler]: run.handler,
        [attr.attempt]: run.attempt,
        ...eventAttributes(run.event),
      },
      links: creation ? [{ context: creation, attributes: { [attr.messageId]: run.event.id } }] : [],
    },
    parent,
  );
  return runInSpan(span, trace.setSpan(parent, span).setValue(processing, marker), work, options);
}
