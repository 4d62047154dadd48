/**
 * The README's example, run as written, and checked to be exactly what the README shows.
 * The SDK wiring (global providers) stands in for the application's own NodeSDK setup.
 */
import { readFileSync } from 'node:fs';
import { metrics, trace } from '@opentelemetry/api';
import {
  createMemoryOutboxStore,
  createMemoryTransport,
  createOutbox,
  createOutboxRelay,
  defineEvent,
  durableHandler,
} from '@tidings/core';
import { installTidingsTracing } from '@tidings/opentelemetry';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestTelemetry, type TestTelemetry } from '../test/telemetry.ts';

let sdk: TestTelemetry;
beforeAll(() => {
  sdk = createTestTelemetry();
  trace.setGlobalTracerProvider(sdk.tracerProvider);
  metrics.setGlobalMeterProvider(sdk.meterProvider);
});
afterAll(async () => {
  trace.disable();
  metrics.disable();
  await sdk.close();
});

it('runs the README example', async () => {
  const transport = createMemoryTransport();
  const mailed: string[] = [];
  const mailer = { send: async (orderId: string) => void mailed.push(orderId) };

  // --- README example start
  // After your OpenTelemetry SDK is started (it registers the global providers):
  const telemetry = installTidingsTracing();
  const store = createMemoryOutboxStore();
  telemetry.observeOutbox(store); // tidings.outbox.backlog and tidings.outbox.oldest_pending_age

  const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string() }) });
  const sendEmail = durableHandler('send-email', OrderPlaced, async (event) => {
    await mailer.send(event.payload.orderId); // runs in a "process OrderPlaced" span
  });
  const outbox = createOutbox({ store, handlers: [sendEmail], routes: [{ name: 'broker' }] });
  const relay = createOutboxRelay(outbox, { transports: { broker: transport } });

  const tracer = trace.getTracer('shop');
  await tracer.startActiveSpan('POST /orders', async (span) => {
    // The event's metadata.traceparent is this span: it travels through the outbox and the broker.
    await outbox.publish(OrderPlaced.create({ orderId: 'o-1' }));
    span.end();
  });
  await relay.drain(); // "send OrderPlaced" and "process OrderPlaced" join the POST /orders trace

  telemetry.close();
  // --- README example end

  await relay.close();
  await transport.close();
  expect(mailed).toEqual(['o-1']);
  const request = sdk.span('POST /orders').spanContext();
  for (const name of ['send OrderPlaced', 'process OrderPlaced']) {
    expect(sdk.span(name).spanContext().traceId).toBe(request.traceId);
    expect(sdk.span(name).parentSpanContext?.spanId).toBe(request.spanId);
  }
});

it('is exactly the README snippet', () => {
  const source = readFileSync(new URL(import.meta.url), 'utf8');
  const region =
    source.split('// --- README example start\n')[1]?.split('  // --- README example end')[0] ?? '';
  const snippet = region
    .split('\n')
    .map((line) => line.replace(/^ {2}/, ''))
    .join('\n')
    .trim();
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  expect(readme).toContain(snippet);
});
