/**
 * `installTidingsTracing`: plugs OpenTelemetry into core's instrumentation hooks. New
 * events get the active `traceparent` in their metadata; relay publishes run in `send`
 * spans linked to each event's creating context; every durable handler run (relay or
 * consumer runtime) runs in a `process` span in the producer's trace, linked to the
 * event's creating context and named in the transport's own terms; and the counters,
 * the duration histogram and, per observed store, the outbox gauges are recorded.
 */
import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import type { AnyDomainEvent, DeadLetterSink, OutboxStore } from '@tidings/core';
import { type Instrumentation, setInstrumentation } from '@tidings/core/spi';
import { createTidingsMetrics } from './metrics.ts';
import { type OutboxGaugeOptions, observeOutbox } from './outbox-gauges.ts';
import { traceProcess } from './process-span.ts';
import { traceSend } from './send-span.ts';
import { traceMetadata } from './trace-context.ts';
import { tidingsMeter, tidingsTracer } from './tracer.ts';

export interface TidingsTracingOptions {
  /** Default: the global tracer provider. */
  readonly tracerProvider?: TracerProvider;
  /** Default: the global meter provider. */
  readonly meterProvider?: MeterProvider;
  /**
   * `messaging.system` of handler spans that no broker delivery fed (the relay's local
   * handlers); consumer and send spans take the transport's own. Default `tidings`.
   */
  readonly system?: string;
  /** `messaging.destination.name` of an event in those handler spans. Default: its type. */
  readonly destination?: (event: AnyDomainEvent) => string;
  /** Put the active trace context into new events' metadata. Default true. */
  readonly propagate?: boolean;
  /** Record the counters and the histogram. Default true. */
  readonly metrics?: boolean;
}

export interface TidingsTelemetry {
  /** Adds the backlog and oldest-pending-age gauges for a store; returns a function that stops them. */
  observeOutbox(store: OutboxStore, options?: OutboxGaugeOptions): () => void;
  /** Wraps a consumer's dead-letter sink so what it receives is counted. */
  countDeadLetters(sink: DeadLetterSink): DeadLetterSink;
  /** Uninstalls the hooks and stops the gauges. */
  close(): void;
}

/**
 * Installs tracing and metrics for the whole process (one installation at a time).
 *
 * @example
 * const telemetry = installTidingsTracing();
 * telemetry.observeOutbox(store);
 * // …
 * telemetry.close();
 */
export function installTidingsTracing(options: TidingsTracingOptions = {}): TidingsTelemetry {
  const tracer = tidingsTracer(options.tracerProvider);
  const meter = tidingsMeter(options.meterProvider);
  const metrics = options.metrics === false ? undefined : createTidingsMetrics(meter);
  const processOptions = {
    system: options.system ?? 'tidings',
    destination: options.destination ?? ((event: AnyDomainEvent) => event.type),
    fallback: 'root' as const,
  };

  const instrumentation: Instrumentation = {
    wrapPublish(batch, work) {
      return traceSend(tracer, batch, work, {
        onEnd(error) {
          if (!metrics) return;
          const byType = new Map<string, number>();
          for (const event of batch.events) byType.set(event.type, (byType.get(event.type) ?? 0) + 1);
          for (const [type, count] of byType) {
            if (error === undefined) metrics.published(type, batch.route, count);
            else metrics.publishFailed(type, batch.route, count, error);
          }
        },
      });
    },
    wrapHandler(run, work) {
      const started = performance.now();
      return traceProcess(tracer, run, work, {
        ...processOptions,
        onEnd(error) {
          metrics?.handlerRun(run.event.type, run.handler, (performance.now() - started) / 1000, error);
        },
      });
    },
    onDeadLetter(info) {
      metrics?.deadLettered(info.event.type, info.consumer, info.error);
    },
  };
  if (options.propagate !== false) instrumentation.metadataForNewEvent = () => traceMetadata();

  const uninstall = setInstrumentation(instrumentation);
  const stops = new Set<() => void>();
  return {
    observeOutbox(store, gaugeOptions) {
      const stop = observeOutbox(meter, store, gaugeOptions);
      stops.add(stop);
      return () => {
        stops.delete(stop);
        stop();
      };
    },
    countDeadLetters(sink) {
      return {
        // The sink's other parts stay: a store sink's port starts the consumer's redrive loop.
        ...sink,
        async put(record) {
          await sink.put(record);
          const type = record.message.headers['ce-type'] ?? 'unknown';
          metrics?.deadLettered(type, record.handler, { code: record.code ?? '_OTHER' });
        },
      };
    },
    close() {
      for (const stop of stops) stop();
      stops.clear();
      uninstall();
    },
  };
}
