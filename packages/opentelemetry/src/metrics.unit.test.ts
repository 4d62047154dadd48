import { context, trace } from '@opentelemetry/api';
import {
  createEventBus,
  createMemoryOutboxStore,
  createMemoryTransport,
  createOutbox,
  createOutboxRelay,
  DoNotRetry,
  defineEvent,
  durableHandler,
} from '@tidings/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestTelemetry, type TestTelemetry } from '../test/telemetry.ts';
import { installTidingsTracing, type TidingsTelemetry } from './install.ts';
import { metricNames } from './metrics.ts';
import { tracingMiddleware } from './tracing-middleware.ts';

const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string() }) });
const OrderCancelled = defineEvent('OrderCancelled', { schema: z.object({ orderId: z.string() }) });

let telemetry: TestTelemetry;
let installed: TidingsTelemetry | undefined;
beforeAll(() => {
  telemetry = createTestTelemetry();
});
afterEach(() => installed?.close());
afterAll(() => telemetry.close());

const value = (points: { attributes: object; value: unknown }[], attributes: object) =>
  points.find((p) => Object.entries(attributes).every(([k, v]) => (p.attributes as never)[k] === v))?.value;

describe('metrics after a relay run', () => {
  it('counts published, handled, failed and dead-lettered events and observes the backlog', async () => {
    let now = 1_000_000;
    const store = createMemoryOutboxStore({ clock: () => now });
    const transport = createMemoryTransport();
    const refuseCancellations = durableHandler(
      'audit',
      [OrderPlaced, OrderCancelled],
      async (event) => {
        if (event.type === 'OrderCancelled') throw new DoNotRetry('cancellations are not audited');
      },
      {
        retry: { maxAttempts: 1 },
        middleware: [tracingMiddleware({ tracerProvider: telemetry.tracerProvider })],
      },
    );
    const outbox = createOutbox({ store, handlers: [refuseCancellations], routes: [{ name: 'broker' }] });
    const relay = createOutboxRelay(outbox, { transports: { broker: transport }, clock: () => now });
    installed = installTidingsTracing({
      tracerProvider: telemetry.tracerProvider,
      meterProvider: telemetry.meterProvider,
    });
    installed.observeOutbox(store);

    await outbox.publish([
      OrderPlaced.create({ orderId: 'o-1' }),
      OrderPlaced.create({ orderId: 'o-2' }),
      OrderCancelled.create({ orderId: 'o-1' }),
    ]);
    now += 2_500;
    const backlog = await telemetry.points(metricNames.backlog);
    expect(value(backlog, { 'tidings.consumer': 'audit' })).toBe(3);
    expect(value(backlog, { 'tidings.consumer': 'broker' })).toBe(3);
    expect(value(await telemetry.points(metricNames.oldestPendingAge), { 'tidings.consumer': 'audit' })).toBe(
      2.5,
    );

    await relay.drain();
    await relay.close();
    await transport.close();

    const published = await telemetry.points(metricNames.published);
    expect(value(published, { 'tidings.event.type': 'OrderPlaced', 'tidings.route': 'broker' })).toBe(2);
    expect(value(published, { 'tidings.event.type': 'OrderCancelled', 'tidings.route': 'broker' })).toBe(1);
    const handled = await telemetry.points(metricNames.handled);
    expect(value(handled, { 'tidings.event.type': 'OrderPlaced', 'tidings.handler': 'audit' })).toBe(2);
    const failed = await telemetry.points(metricNames.failed);
    expect(
      value(failed, {
        'tidings.event.type': 'OrderCancelled',
        'tidings.handler': 'audit',
        'error.type': 'TIDINGS_DO_NOT_RETRY',
      }),
    ).toBe(1);
    const dead = await telemetry.points(metricNames.deadLettered);
    expect(value(dead, { 'tidings.event.type': 'OrderCancelled', 'tidings.consumer': 'audit' })).toBe(1);
    const durations = await telemetry.points(metricNames.handlerDuration);
    const count = (durations.map((p) => p.value) as { count: number }[]).reduce((n, h) => n + h.count, 0);
    expect(count).toBe(3);
    expect(value(await telemetry.points(metricNames.backlog), { 'tidings.consumer': 'audit' })).toBe(0);
    expect(value(await telemetry.points(metricNames.oldestPendingAge), { 'tidings.consumer': 'audit' })).toBe(
      0,
    );

    // The middleware stepped aside: the runtime hook already traced each run, once.
    const processSpans = telemetry.spans().filter((s) => s.name.startsWith('process '));
    expect(processSpans).toHaveLength(3);
    const failedSpan = processSpans.find((s) => s.name === 'process OrderCancelled');
    expect(failedSpan?.status.code).toBe(2);
    expect(failedSpan?.attributes['error.type']).toBe('TIDINGS_DO_NOT_RETRY');
  });
});

describe('tracingMiddleware on the in-process bus', () => {
  it('runs a handler in a process span under the publisher, sync handlers staying sync', () => {
    const bus = createEventBus();
    const traced = tracingMiddleware({ tracerProvider: telemetry.tracerProvider });
    const seen: string[] = [];
    bus.subscribe(
      'count-orders',
      OrderPlaced,
      traced((event) => {
        seen.push(event.id);
      }),
    );
    const tracer = telemetry.tracerProvider.getTracer('test');
    const span = tracer.startSpan('checkout', { root: true });
    const event = OrderPlaced.create({ orderId: 'o-9' });
    context.with(trace.setSpan(context.active(), span), () => bus.publishSync(event));
    span.end();

    expect(seen).toEqual([event.id]);
    const process = telemetry
      .spans()
      .find((s) => s.name === 'process OrderPlaced' && s.attributes['messaging.message.id'] === event.id);
    expect(process?.parentSpanContext?.spanId).toBe(span.spanContext().spanId);
    expect(process?.attributes['messaging.consumer.group.name']).toBe('count-orders');
  });
});
