/**
 * The Tidings instruments: counters of events published, handled, failed and
 * dead-lettered, and the handler duration histogram. Attributes stay low-cardinality
 * (event type, handler, route, error code), never event ids.
 */
import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import { attr, errorType } from './attributes.ts';

/** Names of the metrics, for dashboards and tests. */
export const metricNames = {
  published: 'tidings.events.published',
  publishFailed: 'tidings.events.publish_failed',
  handled: 'tidings.events.handled',
  failed: 'tidings.events.failed',
  deadLettered: 'tidings.events.dead_lettered',
  handlerDuration: 'tidings.handler.duration',
  backlog: 'tidings.outbox.backlog',
  oldestPendingAge: 'tidings.outbox.oldest_pending_age',
} as const;

export interface TidingsMetrics {
  published(type: string, route: string, count: number): void;
  publishFailed(type: string, route: string, count: number, error: unknown): void;
  /** One handler run finished: counts it as handled or failed and records its duration. */
  handlerRun(type: string, handler: string, seconds: number, error: unknown): void;
  deadLettered(type: string, consumer: string, error: unknown): void;
}

export function createTidingsMetrics(meter: Meter): TidingsMetrics {
  const counter = (name: string, description: string): Counter =>
    meter.createCounter(name, { description, unit: '{event}' });
  const published = counter(metricNames.published, 'Events a relay published to a transport.');
  const publishFailed = counter(metricNames.publishFailed, 'Events whose publish to a transport failed.');
  const handled = counter(metricNames.handled, 'Durable handler runs that succeeded.');
  const failed = counter(metricNames.failed, 'Durable handler runs that failed (each attempt).');
  const deadLettered = counter(metricNames.deadLettered, 'Deliveries given up on and dead-lettered.');
  const duration: Histogram = meter.createHistogram(metricNames.handlerDuration, {
    description: 'Duration of one durable handler run.',
    unit: 's',
  });
  return {
    published(type, route, count) {
      published.add(count, { [attr.eventType]: type, [attr.route]: route });
    },
    publishFailed(type, route, count, error) {
      publishFailed.add(count, {
        [attr.eventType]: type,
        [attr.route]: route,
        [attr.errorType]: errorType(error),
      });
    },
    handlerRun(type, handler, seconds, error) {
      const attributes: Attributes = { [attr.eventType]: type, [attr.handler]: handler };
      if (error === undefined) handled.add(1, attributes);
      else failed.add(1, { ...attributes, [attr.errorType]: errorType(error) });
      duration.record(
        seconds,
        error === undefined ? attributes : { ...attributes, [attr.errorType]: errorType(error) },
      );
    },
    deadLettered(type, consumer, error) {
      deadLettered.add(1, {
        [attr.eventType]: type,
        [attr.consumer]: consumer,
        [attr.errorType]: errorType(error),
      });
    },
  };
}
