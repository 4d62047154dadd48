/**
 * Handler middleware that runs each call in a `process` span parented by the event's
 * `traceparent`. For in-process bus handlers, and for durable handlers when the runtime
 * hook is not installed; when `installTidingsTracing` already traces a run, it steps aside.
 */
import type { TracerProvider } from '@opentelemetry/api';
import type { AnyDomainEvent, Handler, Middleware } from '@tidings/core';
import { traceProcess } from './process-span.ts';
import { tidingsTracer } from './tracer.ts';

export interface TracingMiddlewareOptions {
  /** Default: the global tracer provider. */
  readonly tracerProvider?: TracerProvider;
  /** `messaging.system` of the spans. Default `tidings`. */
  readonly system?: string;
  /** `messaging.destination.name` of an event; default its type (the default topic). */
  readonly destination?: (event: AnyDomainEvent) => string;
}

/**
 * @example
 * import { createEventBus } from '@tidings/core';
 * import { tracingMiddleware } from '@tidings/opentelemetry';
 *
 * const traced = tracingMiddleware();
 * bus.subscribe('update-dashboard', OrderPlaced, traced(async (event) => dashboard.add(event.payload)));
 */
export function tracingMiddleware(options: TracingMiddlewareOptions = {}): Middleware {
  const tracer = tidingsTracer(options.tracerProvider);
  const spanOptions = {
    system: options.system ?? 'tidings',
    destination: options.destination ?? ((event: AnyDomainEvent) => event.type),
    fallback: 'active' as const,
  };
  return <E extends AnyDomainEvent>(next: Handler<E>): Handler<E> =>
    (event, context) =>
      traceProcess(
        tracer,
        { event, handler: context.handler, attempt: context.attempt },
        () => next(event, context),
        spanOptions,
      );
}
