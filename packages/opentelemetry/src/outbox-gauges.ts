/**
 * Outbox gauges: the backlog (pending deliveries) and the age of the oldest pending one,
 * per consumer, read from `store.stats()` each time the metric reader collects. The age is
 * the alert to page on: a relay that stopped shows as a steadily growing age.
 */
import type { Meter } from '@opentelemetry/api';
import type { OutboxStore } from '@tidings/core';
import { attr } from './attributes.ts';
import { metricNames } from './metrics.ts';

export interface OutboxGaugeOptions {
  /** Added to every observation, e.g. `{ 'tidings.outbox': 'orders' }` when there are several stores. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** Stats errors (the gauge skips that collection). Default: ignored. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Observes one outbox store. Returns a function that stops observing.
 *
 * @example
 * const stop = observeOutbox(meter, store);
 * // …
 * stop();
 */
export function observeOutbox(
  meter: Meter,
  store: OutboxStore,
  options: OutboxGaugeOptions = {},
): () => void {
  const backlog = meter.createObservableGauge(metricNames.backlog, {
    description: 'Pending outbox deliveries per consumer.',
    unit: '{delivery}',
  });
  const age = meter.createObservableGauge(metricNames.oldestPendingAge, {
    description: 'Age of the oldest pending outbox delivery per consumer (0 when none).',
    unit: 's',
  });
  const callback = async (result: Parameters<Parameters<Meter['addBatchObservableCallback']>[0]>[0]) => {
    let stats: Awaited<ReturnType<OutboxStore['stats']>>;
    try {
      stats = await store.stats();
    } catch (error) {
      options.onError?.(error);
      return;
    }
    for (const row of stats) {
      const attributes = { ...options.attributes, [attr.consumer]: row.consumer };
      result.observe(backlog, row.pending, attributes);
      result.observe(age, row.oldestPendingAgeMs / 1000, attributes);
    }
  };
  meter.addBatchObservableCallback(callback, [backlog, age]);
  return () => meter.removeBatchObservableCallback(callback, [backlog, age]);
}
